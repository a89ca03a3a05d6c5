"""gettext's plural forms: how many forms a language's plural messages have (nplurals), and which one a number takes
(the C expression in plural=, over n). A .po file names them in its header's Plural-Forms line; a template's has
placeholders (nplurals=INTEGER), which msgfmt refuses, so a template translated here gets its target's. Qt Linguist's
files count the same forms but for Turkish (app/qt_linguist.py).

The rules are those that msgfmt -c offers for a language (GNU gettext 0.21's table, drawn from CLDR), written as it
writes them, and the gettext manual's for Arabic and for the languages with a single form.

Android's string resources and Apple's string catalogs name their plural forms by CLDR's categories instead (zero,
one, two, few, many, other): CATEGORIES holds each language's, as CLDR 48 gives them (read from Node's ICU 78:
new Intl.PluralRules(language).resolvedOptions().pluralCategories), in CLDR's order; cases gives a plural message's
cases in a target language, as both of Apple's formats (app/string_catalog.py, app/stringsdict.py) make them.
Runtimes that number their forms by a rule of their own (Laravel's choices, app/php_arrays.py; i18next's JSON v3
keys, app/json_messages.py) name each form by CLDR's category of a number it takes, and take theirs as cases gives
them (forms).
"""
from __future__ import annotations

from nmt.model.languages import primary

ONE_FORM = "nplurals=1; plural=0;"
NOT_ONE = "nplurals=2; plural=(n != 1);"
ZERO_AND_ONE = "nplurals=2; plural=(n > 1);"
SLAVIC = "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"
CZECH = "nplurals=3; plural=(n==1) ? 0 : (n>=2 && n<=4) ? 1 : 2;"

RULES = {
    **dict.fromkeys(["ja", "ko", "th", "vi", "zh", "id", "ms"], ONE_FORM),
    **dict.fromkeys(["bg", "ca", "da", "de", "el", "en", "eo", "es", "et", "eu", "fi", "gl", "he", "hu", "it", "nb",
                     "nl", "nn", "pt", "sv", "tr"], NOT_ONE),
    "fr": ZERO_AND_ONE,
    "pt_br": ZERO_AND_ONE,
    **dict.fromkeys(["ru", "uk", "sr", "hr"], SLAVIC),
    **dict.fromkeys(["cs", "sk"], CZECH),
    "pl": "nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
    "lt": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && (n%100<10 || n%100>=20) ? 1 : 2);",
    "lv": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n != 0 ? 1 : 2);",
    "ga": "nplurals=3; plural=n==1 ? 0 : n==2 ? 1 : 2;",
    "ro": "nplurals=3; plural=n==1 ? 0 : (n==0 || (n%100 > 0 && n%100 < 20)) ? 1 : 2;",
    "sl": "nplurals=4; plural=(n%100==1 ? 0 : n%100==2 ? 1 : n%100==3 || n%100==4 ? 2 : 3);",
    "ar": "nplurals=6; plural=n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5;",
}


def rule(language: str) -> str | None:
    """The Plural-Forms of a language code (es, pt-BR, zh_TW), or None for one not in the table."""
    return RULES.get(language.replace("-", "_").lower(), RULES.get(primary(language)))


def count(rule: str) -> int:
    """How many forms a rule of the table has (its nplurals)."""
    return int(rule.removeprefix("nplurals=").split(";")[0])


ORDER = ("zero", "one", "two", "few", "many", "other")
CATEGORIES = {
    **dict.fromkeys(["id", "ja", "km", "ko", "ms", "my", "th", "vi", "zh"], ("other",)),
    **dict.fromkeys(["af", "az", "bg", "bn", "da", "de", "el", "en", "et", "eu", "fa", "fi", "gl", "hi", "hu", "hy",
                     "is", "ka", "kk", "mk", "ml", "mn", "mr", "nb", "ne", "nl", "no", "pa", "si", "sq", "sv", "sw",
                     "ta", "te", "tr", "ur", "uz"], ("one", "other")),
    **dict.fromkeys(["ca", "es", "fr", "it", "pt"], ("one", "many", "other")),
    **dict.fromkeys(["bs", "hr", "ro", "sr"], ("one", "few", "other")),
    **dict.fromkeys(["be", "cs", "lt", "pl", "ru", "sk", "uk"], ("one", "few", "many", "other")),
    "lv": ("zero", "one", "other"),
    "he": ("one", "two", "other"),
    "sl": ("one", "two", "few", "other"),
    **dict.fromkeys(["ga", "mt"], ("one", "two", "few", "many", "other")),
    **dict.fromkeys(["ar", "cy"], ORDER),
}


def categories(language: str) -> tuple[str, ...] | None:
    """CLDR's plural categories of a language code (es, pt-BR), in CLDR's order, or None for one not in the table."""
    return CATEGORIES.get(primary(language))


def rank(category: str) -> int:
    """Where CLDR's order puts a plural category (a name that is none of CLDR's: after them)."""
    return ORDER.index(category) if category in ORDER else len(ORDER)


def cases(source: list[str], categories: tuple[str, ...] | None) -> dict[str, str]:
    """A plural message's cases in a target language, in CLDR's order, each with the source's case whose translation
    it takes (its own, else the source's "other", its last where it has none): the target's categories (None, a
    language CATEGORIES lacks: the source's), and "zero" where the source has it, which Apple's plurals apply to 0 in
    any language. None of them where the source has no cases."""
    if not source:
        return {}
    other = "other" if "other" in source else source[-1]
    wanted = set(categories or source) | ({"zero"} & set(source))
    return {category: category if category in source else other
            for category in sorted(wanted, key=lambda category: (rank(category), category))}


def forms(source: tuple[str, ...], target: tuple[str, ...]) -> list[int]:
    """For each form of a target's numbered plural forms (named by CLDR's categories, in its runtime's order), the
    index of the source's form whose translation it takes, as cases picks it (its own, else "other", else the
    last)."""
    taken = cases(list(source), target)
    return [source.index(taken[name]) for name in target]
