"""Quote extraction and speaker attribution for news articles.

>>> from model.quotes import extract_quotes
>>> [q.to_dict()["type"] for q in extract_quotes('He said: “No deal.”')]
['direct']
"""

from model.quotes.extract import Quote, extract_quotes, load_nlp

__all__ = ["Quote", "extract_quotes", "load_nlp"]
