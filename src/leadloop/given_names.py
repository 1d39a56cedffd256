"""A person's given name out of a full name, where only the full name is known.

Spanish and Portuguese given names are often two or three words ("José Luis Pérez",
"María del Carmen Ruiz", "Ana Paula Souza"): the first word alone would greet
"Hola, José:". A full name starts with one of the compound given names below only when
that is the person's given name, as far as anyone can tell from the name alone; any
other name keeps its first word (nothing is guessed beyond the lists).

The lists are the compound names among the most frequent given names of residents:
- Spain: INE, "Nombres y apellidos más frecuentes" / "Nombres más frecuentes por década
  de nacimiento" (https://www.ine.es/dyngs/INEbase/es/operacion.htm?c=Estadistica_C&cid=1254736177009&menu=ultiDatos&idp=1254734710990),
  the 100 most frequent names of men and of women and the lists by decade;
  INE's figures may be reused with attribution (https://www.ine.es/aviso_legal).
- Brazil: IBGE, Censo 2010, "Nomes no Brasil" (https://censo2010.ibge.gov.br/nomes/),
  the most frequent compound names; IBGE data is public (Lei de Acesso à Informação).
Written here by hand from those published tables, accents as the tables spell them
(compared without accents or case, so "JOSE LUIS" and "José Luis" match; María's short
forms, "Mª", "M.ª", "Mari", as María).

A courtesy or academic title before the name ("Dr.", "Sra.", "D.", "Mrs") is never the
given name. After one, two words may be two family names ("Sr. García López"), so they
give a given name only when the first begins a compound of the lists or the title is
don or doña, which go before the given name: otherwise no name, "Hola:" rather than
"Hola, García:".
"""

from __future__ import annotations

import re
import unicodedata

_SPAIN = """
José Antonio, José Luis, Francisco Javier, Juan Carlos, José Manuel, Juan José,
Miguel Ángel, José María, Juan Antonio, Francisco José, Juan Manuel, José Ramón,
José Miguel, Juan Francisco, José Ignacio, José Carlos, Luis Miguel, José Javier,
Francisco Manuel, José Francisco, Juan Luis, Antonio José, José Ángel, Juan Pablo,
José Vicente, Juan Miguel, Francisco Jesús, José Alberto, Jesús María, Juan Ramón,
Pedro José, José Enrique, José Pedro, Juan Jesús, José Joaquín, Luis Alberto,
Juan Ignacio, José Andrés, Francisco José, Juan Bautista, José Daniel,
María Carmen, María del Carmen, Ana María, María Pilar, María del Pilar, María Dolores,
María Teresa, María Ángeles, María de los Ángeles, María Isabel, María José,
María Luisa, María Jesús, María Mercedes, María Rosario, María del Rosario,
María Concepción, María Victoria, María Elena, María Antonia, María Soledad,
María Cristina, Ana Isabel, María Rosa, Rosa María, María Josefa, María Nieves,
María Inmaculada, María Belén, María Montserrat, María Eugenia, María Lourdes,
María Mar, María del Mar, María Paz, Ana Belén, María Esther, María Luz,
María Encarnación, María Asunción, María Remedios, María Manuela, María Begoña,
Isabel María, María Ángela, María Fernanda, María Gloria, María Lucía, María Aránzazu,
María Yolanda, María Reyes, María Rocío, María Sonia, María Consuelo, María Milagros,
María Visitación, María Francisca, María Magdalena, María Lidia, María Emilia,
Ana Cristina, Ana Belén, María Alejandra, María Jose
"""
_BRAZIL = """
Ana Paula, Maria José, Maria Aparecida, Ana Maria, João Pedro, Maria Eduarda,
Ana Clara, Maria Clara, Ana Carolina, Ana Beatriz, Maria Luiza, Maria de Fátima,
Maria das Graças, João Paulo, João Victor, João Vitor, Pedro Henrique, Carlos Eduardo,
Luiz Carlos, José Carlos, Paulo Henrique, Luiz Fernando, Maria Fernanda, Ana Luiza,
Ana Júlia, Maria Júlia, João Gabriel, Luiz Henrique, José Roberto, Antônio Carlos,
Marco Antônio, Maria Helena, Maria Lúcia, Maria do Carmo, Maria da Conceição,
Maria de Lourdes, Maria Cristina, Maria Alice, Ana Lúcia, Ana Cristina, João Carlos,
José Antônio, Maria Vitória, Maria Cecília, Maria Sophia, Maria Valentina, Ana Lívia,
Ana Vitória, João Lucas, João Miguel, Luiz Gustavo, Carlos Alberto, José Francisco,
Francisco das Chagas, Maria das Dores, Maria da Penha, Maria do Socorro,
Maria de Jesus, Maria Tereza, Maria Angélica, José Ricardo, Paulo Roberto, Luiz Antônio
"""


def _key(text: str) -> str:
    """Words compared without case or accents: exports write "JOSE LUIS", "José Luis"."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(text.casefold().split())


def _table() -> dict[str, int]:
    names = (name.strip() for text in (_SPAIN, _BRAZIL) for name in text.split(","))
    return {_key(name): len(name.split()) for name in names if name}


COMPOUND = _table()
_LONGEST = max(COMPOUND.values())
# The given names that begin a compound one: surely given names ("José", "María", "Ana").
_FIRST_WORDS = frozenset(key.split()[0] for key in COMPOUND)


# What may follow a comma in a person's name without being a given name: generational
# and academic suffixes ("Juan Gil, Jr.", "Ana Ruiz, PhD"). Compared without dots, case
# or accents.
_SUFFIXES = frozenset("""
jr sr ii iii iv v phd md dds esq mba msc bsc ba ma dr dra lic ing arq
""".split())
# A firm's legal form, ending its name ("Reformas Gil, S.L.", "Construcciones Ruiz SA",
# "Acme GmbH"): a firm has no given name to greet. Compared without dots, spaces, case or
# accents ("S. L.", "S.A. de C.V."). The short ones are also surnames or words ("Sá",
# "Spa", "Sas"): those count only in capitals or with dots.
_LEGAL_FORMS = frozenset({"sl", "sa", "slu", "sll", "sc", "sadecv", "srl", "spa", "sas",
                          "sarl", "bv", "nv", "llc", "llp", "ltd", "inc", "plc", "gmbh",
                          "ag", "kg", "ohg", "ug", "corp", "co", "scoop", "cb", "sdeol"})
_PLAIN_LEGAL_FORMS = frozenset({"slu", "sadecv", "sarl", "llc", "llp", "ltd", "inc", "plc",
                                "gmbh", "corp", "scoop"})
# A given name's word: letters (a hyphen or an apostrophe inside), or an initial "J.".
_GIVEN_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*\.?")


def given_name(name: str | None) -> str:
    """The given name a full name starts with: a known compound one whole, else the
    first word; "" for no name.

    A name written "Family, Given" (CRMs' and address books' sorted form: "Vidal, Laura",
    "Pérez Gil, José Luis") gives the given name after the comma. When what follows the
    comma is not a given name (a suffix, a legal form, a number), the part before the
    comma is the name; when that cannot be told, no given name: "Hola:" rather than
    "Hola, Vidal,:"."""
    if name and _is_firm(name):
        return ""  # "Reformas Gil, S.L.", "Construcciones Ruiz SA": "Hola:", never "Hola, Reformas:"
    if name and "," in name:
        before, _, after = name.partition(",")
        after_words = after.split()
        if not after_words or all(_key(word).strip(".") in _SUFFIXES for word in after_words):
            name = before  # "Juan Gil, Jr.": the name is before it
        elif ("," not in after and len(after_words) <= 3 and before.split()
              and after_words[0][0].isupper()
              and all(_GIVEN_WORD.fullmatch(word) for word in after_words)
              # "Laura Vidal, Reformas Gil" (a person, then a firm) reads like "Pérez
              # Gil, Marta Ana": words on both sides are a given name only when known.
              and (len(after_words) == 1 or len(before.split()) == 1
                   or _key(after) in COMPOUND)):
            name = after  # "Vidal, Laura": the given name comes after the comma
        else:
            return ""  # "a, b, c", "Gil, 2º B": nothing that is surely a given name
    words = name.split() if name else []
    titles = []
    while len(words) > 1 and _is_title(words[0]):
        titles.append(_key(words[0]).rstrip("."))  # "Dr. Juan Pérez", "Sr. D. José García"
        words = words[1:]
    if titles and (len(words) < 2 or (len(words) == 2 and not _GIVEN_NAME_TITLES & set(titles)
                                      and _key(words[0]) not in _FIRST_WORDS)):
        # A title before family names alone ("Sr. García", "Sr. García López") is read
        # so: "Hola:", not "Hola, García:". Don and doña go before the given name
        # (RAE: "se antepone al nombre de pila"), and a name that begins one of the
        # compound given names is one ("Dr. Juan Pérez").
        return ""
    for count in range(min(_LONGEST, len(words)), 1, -1):
        if _compound_key(words[:count]) in COMPOUND:
            return _cased(" ".join(words[:count]))
    if words and _INITIAL.fullmatch(words[0]):
        # "J. Luis Pérez": the initial and the name after it, as the person writes it;
        # "J. Pérez" has no given name to greet.
        return _cased(" ".join(words[:2])) if len(words) > 2 and words[1].lower() not in _PARTICLES else ""
    return _cased(words[0]) if words else ""


def _is_title(word: str) -> bool:
    """A courtesy or academic title (_TITLES). The ones that are also a name's part or an
    initial ("D", "Da", "M": "Da Silva") only with their dot or "ª" ("D.", "Dª", "M.")."""
    key = _key(word).rstrip(".")
    if key not in _TITLES:
        return False
    return key not in _SHORT_TITLES or word.endswith(".") or "ª" in word


def _compound_key(words: list[str]) -> str:
    """The words' key, with María's short forms as María ("Mª José", "José Mª",
    "Mari Carmen": the compounds of the tables, written as people write them)."""
    return " ".join(_MARIA.get(word, word) for word in _key(" ".join(words)).split())


def _is_firm(name: str) -> bool:
    """Whether `name` ends with a firm's legal form (_LEGAL_FORMS), after a comma or not."""
    before, comma, after = name.rpartition(",")
    if comma and before.strip() and _key(after.replace(".", " ")).replace(" ", "") in _LEGAL_FORMS:
        return True  # "Reformas Gil, S.L.", "Acme, Ltd": after a comma, in any case
    words = name.split()
    for count in (1, 2, 3, 4):  # "S.L.", "S. L.", "S.A. de C.V."
        if len(words) <= count:
            break
        tail = " ".join(words[-count:])
        form = _key(tail.replace(".", " ")).replace(" ", "")
        # In a name written all in capitals, capitals tell nothing ("MARIA SA" is Maria Sá).
        if form in _LEGAL_FORMS and (form in _PLAIN_LEGAL_FORMS or "." in tail or (
                tail.replace(" ", "").isupper() and not name.isupper())):
            return True
    return False


_PARTICLES = frozenset({"de", "del", "da", "das", "do", "dos", "la", "y", "e", "i"})
# Courtesy and academic titles before a name, compared without case, accents or the dot:
# Spanish and Portuguese (Sr., Sra., Srta., D., Dña., Dª, Doña, Dr., Dra., Prof., Lic.,
# Ing., Arq.), English (Mr, Mrs, Ms, Mx, Dr, Prof) and French (M., Mme, Mlle). Not "Don",
# also an English given name.
_TITLES = frozenset({"sr", "sra", "srta", "d", "dna", "da", "dona", "dr", "dra", "prof",
                     "profa", "lic", "ing", "arq", "mr", "mrs", "ms", "mx", "m", "mme", "mlle"})
_SHORT_TITLES = frozenset({"d", "da", "m"})
_GIVEN_NAME_TITLES = frozenset({"d", "da", "dna", "dona"})
# An initial standing for a given name: "J.", "M.ª" aside.
_INITIAL = re.compile(r"[^\W\d_]\.")
# María written short ("Mª", "M.ª", "Ma.", "Mari"), as its key reads.
_MARIA = {"ma": "maria", "m.a": "maria", "ma.": "maria", "m.a.": "maria", "mari": "maria"}


def _cased(given: str) -> str:
    """A given name written in capitals, as many exports write names ("JOSÉ LUIS"), as a
    person writes it ("José Luis"): each part capitalised, a compound's particles ("del",
    "das") small. Any other casing is the person's own and stays."""
    if not given.isupper() or len(given) < 2:
        return given
    words = []
    for n, word in enumerate(given.split()):
        if n and word.lower() in _PARTICLES:
            words.append(word.lower())
        else:
            words.append("-".join(part[:1] + part[1:].lower() for part in word.split("-")))
    return " ".join(words)
