"""Word lists the attribution rules lean on. Small, explicit, easy to extend.

Surface forms rather than lemmas: the lemmatizer is left out of the spaCy pass to keep a
1,000-word article under 50 ms, and reporting verbs are a closed, well-known class.
"""

from __future__ import annotations


def _forms(*stems: str) -> frozenset[str]:
    """Inflected forms from compact "base|3rd|past|ing|participle" groups."""
    words: set[str] = set()
    for stem in stems:
        words.update(stem.split("|"))
    return frozenset(words)


# Verbs that introduce what someone said, wrote or holds: "X said (that) ...".
REPORTING_VERBS: frozenset[str] = _forms(
    "say|says|said|saying",
    "tell|tells|told|telling",
    "claim|claims|claimed|claiming",
    "add|adds|added|adding",
    "write|writes|wrote|writing|written",
    "warn|warns|warned|warning",
    "believe|believes|believed|believing",
    "argue|argues|argued|arguing",
    "insist|insists|insisted|insisting",
    "state|states|stated|stating",
    "note|notes|noted|noting",
    "explain|explains|explained|explaining",
    "suggest|suggests|suggested|suggesting",
    "announce|announces|announced|announcing",
    "declare|declares|declared|declaring",
    "stress|stresses|stressed|stressing",
    "assert|asserts|asserted|asserting",
    "allege|alleges|alleged|alleging",
    "acknowledge|acknowledges|acknowledged|acknowledging",
    "admit|admits|admitted|admitting",
    "deny|denies|denied|denying",
    "predict|predicts|predicted|predicting",
    "reply|replies|replied|replying",
    "respond|responds|responded|responding",
    "remark|remarks|remarked|remarking",
    "comment|comments|commented|commenting",
    "observe|observes|observed|observing",
    "conclude|concludes|concluded|concluding",
    "tweet|tweets|tweeted|tweeting",
    "think|thinks|thought|thinking",
    "vow|vows|vowed|vowing",
    "pledge|pledges|pledged|pledging",
    "promise|promises|promised|promising",
    "confirm|confirms|confirmed|confirming",
    "report|reports|reported|reporting",
    "reveal|reveals|revealed|revealing",
    "emphasise|emphasises|emphasised|emphasising",
    "emphasize|emphasizes|emphasized|emphasizing",
    "maintain|maintains|maintained|maintaining",
    "contend|contends|contended|contending",
    "complain|complains|complained|complaining",
    "caution|cautions|cautioned|cautioning",
    "concede|concedes|conceded|conceding",
    "agree|agrees|agreed|agreeing",
    "reiterate|reiterates|reiterated|reiterating",
    "recall|recalls|recalled|recalling",
    "urge|urges|urged|urging",
    "demand|demands|demanded|demanding",
    "ask|asks|asked|asking",
    "posted|post|posts",
    "shout|shouts|shouted|shouting",
    "cry|cries|cried",
    "yell|yells|yelled",
    "chant|chants|chanted",
    "plead|pleads|pleaded",
    "whisper|whispers|whispered",
    "estimate|estimates|estimated|estimating",
    "fear|fears|feared",
    "hope|hopes|hoped",
    "assess|assesses|assessed",
    "reckon|reckons|reckoned",
    "accuse|accuses|accused",
    "describe|describes|described",
    "call|calls|called",
)

# Verbs that only attribute a direct quote placed right next to them; they take no
# clausal complement worth extracting ("described the talks as ..." is not a statement).
QUOTE_ONLY_VERBS: frozenset[str] = _forms(
    "accuse|accuses|accused", "describe|describes|described", "call|calls|called",
    "ask|asks|asked|asking", "urge|urges|urged|urging",
)

HONORIFICS_FEMALE: frozenset[str] = frozenset({"ms", "mrs", "miss", "madam", "madame", "dame", "lady", "mme"})
HONORIFICS_MALE: frozenset[str] = frozenset({"mr", "sir", "lord", "monsieur", "herr"})
HONORIFICS: frozenset[str] = HONORIFICS_FEMALE | HONORIFICS_MALE | frozenset({"dr", "prof", "professor", "mx"})

# Title words: stripped from names, and the nouns behind "the minister", "the general".
TITLES: frozenset[str] = frozenset({
    "president", "vice", "prime", "minister", "secretary", "chancellor", "premier",
    "general", "gen", "lieutenant", "lt", "colonel", "col", "major", "maj", "captain", "capt",
    "admiral", "commander", "marshal", "sergeant", "chief", "head", "director", "chair",
    "chairman", "chairwoman", "spokesman", "spokeswoman", "spokesperson", "ambassador",
    "envoy", "senator", "sen", "congressman", "congresswoman", "representative", "rep",
    "governor", "gov", "mayor", "king", "queen", "prince", "princess", "pope", "foreign",
    "defence", "defense", "interior", "deputy", "senior", "lawmaker", "mp", "analyst",
    "commissioner", "leader", "official", "adviser", "advisor", "diplomat", "negotiator",
    "speaker", "justice", "judge", "emir", "sheikh", "ceo", "founder",
    "professor", "fellow", "researcher", "expert", "economist", "journalist", "editor",
    "political", "military", "state", "national", "security", "former", "acting", "top",
    "us", "u.s.", "un", "eu", "nato",
}) | HONORIFICS

# Nouns that "the X" can stand for when it refers back to a named person.
ROLE_NOUNS: frozenset[str] = frozenset({
    "president", "minister", "secretary", "chancellor", "premier", "general", "colonel",
    "admiral", "commander", "marshal", "spokesman", "spokeswoman", "spokesperson",
    "ambassador", "envoy", "senator", "governor", "mayor", "king", "queen", "prince",
    "pope", "analyst", "lawmaker", "official", "adviser", "advisor", "diplomat",
    "negotiator", "professor", "fellow", "researcher", "expert", "economist", "leader",
    "chief", "director", "chairman", "chairwoman", "chair", "commissioner", "mp", "emir",
    "journalist", "editor", "judge", "captain", "major", "lieutenant",
})

ORG_WORDS: frozenset[str] = frozenset({
    "institute", "ministry", "kremlin", "council", "committee", "agency", "party", "army",
    "forces", "force", "government", "office", "department", "organisation", "organization",
    "union", "nations", "bank", "fund", "corporation", "group", "association", "centre",
    "center", "university", "news", "times", "post", "service", "command", "staff",
    "pentagon", "nato", "un", "eu", "commission", "parliament", "duma", "senate", "congress",
    "assembly", "administration", "cabinet", "court", "foundation", "house", "ria", "tass",
    "reuters", "bbc", "cnn", "press", "network", "board", "authority", "authorities",
    "embassy", "mission", "alliance", "coalition", "movement", "front", "brigade", "regiment",
    "navy", "guard", "police", "watch", "international", "study", "studies",
    "company", "inc", "ltd", "media", "channel", "tribune", "journal", "herald", "gazette",
    "white", "downing", "quai", "hamas", "hezbollah", "idf", "isw", "rusi", "chatham",
})

# Countries and capitals speak as organisations ("Moscow said", "Ukraine insists").
PLACE_WORDS: frozenset[str] = frozenset({
    "us", "usa", "uk", "britain", "russia", "ukraine", "china", "france", "germany", "israel",
    "iran", "india", "pakistan", "turkey", "poland", "kyiv", "kiev", "moscow", "washington",
    "beijing", "london", "paris", "berlin", "brussels", "tehran", "ankara", "jerusalem",
    "gaza", "qatar", "egypt", "saudi", "arabia", "europe", "america", "japan", "korea",
    "sudan", "ethiopia", "armenia", "azerbaijan", "georgia", "syria", "lebanon", "yemen",
    "west", "states", "kingdom", "belarus", "hungary", "italy", "spain", "canada", "taiwan",
})

DEMONYMS: frozenset[str] = frozenset({
    "american", "british", "russian", "ukrainian", "chinese", "french", "german", "israeli",
    "iranian", "indian", "pakistani", "turkish", "polish", "european", "english", "scottish",
    "welsh", "irish", "saudi", "qatari", "egyptian", "palestinian", "lebanese", "syrian",
    "japanese", "korean", "sudanese", "ethiopian", "armenian", "azerbaijani", "georgian",
    "belarusian", "hungarian", "italian", "spanish", "canadian", "taiwanese", "western",
    "us", "uk", "eu", "un", "nato", "kremlin",
})

PRONOUNS_MALE: frozenset[str] = frozenset({"he", "him", "his"})
PRONOUNS_FEMALE: frozenset[str] = frozenset({"she", "her", "hers"})
PRONOUNS_PLURAL: frozenset[str] = frozenset({"they", "them", "their", "we"})

# Common first names, for gender when no honorific or pronoun says it. Short on purpose:
# unknown gender is compatible with either pronoun, so a miss only weakens a tie-break.
FIRST_NAMES_FEMALE: frozenset[str] = frozenset({
    "tatiana", "tatyana", "maria", "marie", "anna", "elena", "olena", "yulia", "julia",
    "natalia", "natalya", "olga", "irina", "svetlana", "ekaterina", "kaja", "ursula",
    "kamala", "hillary", "nancy", "angela", "theresa", "liz", "elizabeth", "rachel",
    "yvette", "kemi", "priti", "suella", "penny", "annalena", "giorgia", "marine", "ruth",
    "lena", "sarah", "sara", "emma", "emily", "laura", "claire", "jane", "mary", "susan",
    "karen", "linda", "lisa", "helen", "kate", "catherine", "katherine", "anne", "victoria",
    "sophie", "lucy", "hannah", "jessica", "amy", "rebecca", "alice", "fiona", "nicola",
    "samantha", "jennifer", "michelle", "karine", "kristi", "tulsi", "mette",
    "jacinda", "sanna", "roberta", "zelda", "ana", "fatima", "aisha", "leila",
    "layla", "noa", "tzipi", "golda", "oksana", "iryna", "daria", "darya", "veronika",
    "alina", "polina", "ksenia", "lyudmila", "valentina", "galina", "nadia", "nadezhda",
    "margarita", "marianne", "ingrid", "greta", "petra", "eva", "agnes", "beata", "dorota",
    "magdalena", "kristina", "christine", "christina", "nina", "vera", "zoe", "chloe",
    "grace", "mila", "ines", "lina", "lidia", "lydia", "selin", "elke",
    "hilde", "liv", "marta", "martha", "dalia", "amara", "yara", "mara", "anika",
    "amina", "zainab", "esther", "leah", "miriam", "sofia", "sophia",
    "isabel", "isabella", "lucia", "paula", "carmen", "ilse", "heidi", "astrid",
    "sigrid", "freya", "ida", "elin", "maja", "klara", "clara", "lea", "julie",
})
FIRST_NAMES_MALE: frozenset[str] = frozenset({
    "vladimir", "volodymyr", "donald", "joe", "john", "leonid", "sergei", "sergey", "dmitry",
    "dmitri", "alexei", "alexey", "andriy", "andrii", "oleksandr", "oleksiy", "mykhailo",
    "valery", "valeriy", "yuri", "yury", "viktor", "emmanuel", "olaf", "friedrich", "keir",
    "rishi", "boris", "david", "james", "mike", "michael", "marco", "jd", "antony", "tony",
    "lloyd", "pete", "steve", "stephen", "steven", "keith", "mark", "paul", "peter", "robert",
    "richard", "william", "thomas", "charles", "george", "henry", "edward", "benjamin",
    "binyamin", "yahya", "ismail", "recep", "xi", "narendra", "shehbaz", "ali", "mohammed",
    "muhammad", "ahmed", "hassan", "hussein", "abdel", "abdullah", "jens", "rob",
    "ben", "tom", "jack", "daniel", "matthew", "andrew", "alexander", "ivan", "igor", "oleg",
    "nikolai", "pavel", "mikhail", "maxim", "yevgeny", "evgeny", "ramzan", "aleksandr",
    "kirill", "dmytro", "petro", "vitali", "vitaliy", "ihor", "serhiy", "kyrylo", "denys",
    "antonio", "pedro", "luiz", "lula", "javier", "giuseppe", "josep", "fumio", "shinzo",
    "yoon", "kim", "lee", "hakan", "mevlut", "gideon", "yoav", "herzi", "isaac", "naftali",
    "yair", "benny", "bezalel", "itamar", "mahmoud", "nabil", "joseph", "chris",
    "christopher", "nick", "nicholas", "simon", "ed", "jeremy", "grant", "lindsey", "ted", "marc", "elon", "barack", "bill", "ron", "kevin",
})

# Verbs that put a word in someone's mouth without a clause: "called it “theatre”",
# "described the talks as “useful”", "spoke of “treason”". They attribute the quote next
# to them (and scare quotes they govern) but never introduce reported speech.
EVALUATIVE_VERBS: frozenset[str] = _forms(
    "call|calls|called|calling",
    "describe|describes|described|describing",
    "brand|brands|branded|branding",
    "label|labels|labelled|labeled|labelling|labeling",
    "term|terms|termed|terming",
    "dub|dubs|dubbed|dubbing",
    "praise|praises|praised|praising",
    "hail|hails|hailed|hailing",
    "speak|speaks|spoke|speaking",
    "refer|refers|referred|referring",
    "propose|proposes|proposed|proposing",
    "dismiss|dismisses|dismissed|dismissing",
    "accuse|accuses|accused|accusing",
    "prefer|prefers|preferred|preferring",
    "condemn|condemns|condemned|condemning",
    "denounce|denounces|denounced|denouncing",
    "decry|decries|decried|decrying",
    "welcome|welcomes|welcomed|welcoming",
    "criticise|criticises|criticised|criticising",
    "criticize|criticizes|criticized|criticizing",
    "scorn|scorns|scorned|scorning",
    "slam|slams|slammed|slamming",
    "deride|derides|derided|deriding",
    "mock|mocks|mocked|mocking",
)

# Subjects that are texts, not speakers: "The 14-page document calls the rebels …".
NON_SPEAKER_NOUNS: frozenset[str] = frozenset({
    "document", "draft", "plan", "text", "proposal", "report", "it", "this", "that",
    "which", "there", "agreement", "deal", "offer", "roadmap", "framework", "resolution",
    "speech", "statement", "letter", "law", "bill", "decision", "move", "talks", "truce",
})

# Heads whose speaker sits in the prepositional object: "a statement from the ministry".
VIA_PREP_HEADS: frozenset[str] = frozenset({
    "statement", "post", "message", "communique", "communiqué", "letter", "release",
    "tweet", "organisers", "organizers", "announcement", "note", "notice",
})

# Common nouns that name a person who can speak: "An NLF commander, reached by phone,
# laughed. “…,” he said." makes the commander the antecedent of "he".
PERSON_NOUNS: frozenset[str] = ROLE_NOUNS | frozenset({
    "commander", "protester", "marcher", "farmer", "resident", "soldier", "mother", "father",
    "woman", "man", "doctor", "nurse", "teacher", "student", "worker", "veteran", "refugee",
    "villager", "witness", "survivor", "priest", "activist", "mediator", "monitor",
    "observer", "delegate", "candidate", "columnist", "commentator", "correspondent",
    "historian", "scholar", "member", "politician", "fisherman", "sailor", "officer",
    "pilot", "volunteer", "organiser", "organizer", "source", "insider", "aide",
})

# Heads that make "X’s <head>" an organisation: "Ms Joss’s office", "its foreign ministry".
ORG_HEADS: frozenset[str] = frozenset({
    "office", "ministry", "government", "delegation", "army", "party", "military",
    "administration", "cabinet", "embassy", "mission", "command", "staff", "navy",
    "council", "committee", "parliament", "presidency", "spokesperson's office",
    "press office", "secretariat", "leadership", "team", "camp", "side", "forces",
})
