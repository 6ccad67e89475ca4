#!/usr/bin/env python3
"""Builds internal/seal/wordlists/ru_nouns.txt, the Russian codename list.

Candidates are the common nouns of Debian's hunspell-ru dictionary (lower
case, 4 to 8 letters, no ё, so nothing depends on how a keyboard types it);
they are ranked by how often each appears in Debian's Mueller and FreeDict
English-Russian dictionaries, plus how many of its inflected forms occur in
Debian's snowball-data Russian vocabulary, a proxy for how familiar a word
is. Words that read as insults, obscenities or threats are left out, and so
is a word whose ending-less form another, more familiar word already has
(ложа/ложе), so no two codename words differ only in an ending. The best 4,096
(12 bits each) are kept, sorted.

Needs: apt-get install hunspell-ru mueller7-dict dict-freedict-eng-rus snowball-data
"""
import collections, gzip, re, sys

WORDS = 4096
HUNSPELL = "/usr/share/hunspell/ru_RU.dic"
DICTS = ["/usr/share/dictd/mueller7.dict.dz", "/usr/share/dictd/freedict-eng-rus.dict.dz"]
VOC = "/usr/share/snowball/data/russian/"

# Roots a source should not have to type or say aloud in a codename.
UNWANTED = re.compile(
    "^(хуй|хуе|пизд|еба|ебл|бляд|сук|жоп|говн|дерьм|сран|мудак|мудил|залуп|дроч|шлюх|"
    "педер|пидор|гандон|манд|трах|ссан|какаш|бордел|проститу|сволоч|мерзав|подлец|"
    "негодя|идиот|дурак|дура$|кретин|дебил|урод|уродин|ублюд|выродок|гад$|гадин|"
    "труп|убийц|убийств|смерт|мертв|мертвец|покойни|насил|казн|пытк|палач|кровь|"
    "рак$|гроб|могил|войн|бомб|оруж|взрыв|теракт|террор|нацист|фашист|жид|негр|"
    "чурк|хохол|москал|еврей|член|сиськ|попа$|задниц|понос|блев|рвот|гной|"
    "сифилис|спид|тюрьм|шпион|донос|стукач|предат|измен|кокаин|героин|наркот|"
    "людоед|самоубий|висел|петл|яд$|отрав|пленни|раб$|рабын|любовни|секс|"
    "порно|эротик|онани|оргазм|вагин|пенис|анус|клитор|сперм|менстру|"
    # Faiths, peoples and weapons: nobody should be named by one in a codename.
    "аллах|бог$|богин|христ|иисус|будд|мусульм|ислам|иуде|католи|правосл|"
    "араб|перс$|турок|турчан|татар|цыган|китаец|китая|япон|немец|немк|поляк|полька|"
    "латыш|литов|эстон|финн|грузин|армян|азер|чечен|казах|узбек|таджик|киргиз|якут|"
    "чукч|мордв|еврей|негрит|мулат|креол|индеец|индиан|"
    "психопат|маньяк|бандит|вор$|воров|грабит|пуля|пулемет|автомат|винтовк|"
    "пистолет|револьвер|снаряд|граната|мина$|штык|кинжал|виселиц|расстрел|"
    "прыщ|вонь|гнид|вошь|клоп$|глист|сопл|мочa|моча$|кал$|срам)"
)

def main():
    mentions = collections.Counter()
    for path in DICTS:
        mentions.update(re.findall("[а-яё]+", gzip.open(path).read().decode("utf-8", "replace").lower()))
    voc = open(VOC + "voc.txt", encoding="utf-8").read().split()
    stems = open(VOC + "output.txt", encoding="utf-8").read().split()
    forms = collections.Counter(stems)
    stem_of = dict(zip(voc, stems))
    ranked, seen = [], set()
    for line in open(HUNSPELL, encoding="utf-8").read().split("\n")[1:]:
        word, _, flags = line.strip().partition("/")
        # Noun declension classes of this dictionary; more flags mean
        # other parts of speech share the spelling.
        if not flags or flags[0] not in "KJIHNF" or len(flags) > 2:
            continue
        if not re.fullmatch("[а-я]{4,8}", word) or word in seen or UNWANTED.search(word):
            continue
        seen.add(word)
        s = stem_of.get(word)
        ranked.append((mentions[word] + 3 * (forms[s] if s else 0), word))
    ranked.sort(key=lambda r: (-r[0], len(r[1]), r[1]))
    chosen, bare = [], set()
    for _, word in ranked:
        key = re.sub("[аеиоуыэюяйь]+$", "", word)
        if key in bare:
            continue
        bare.add(key)
        chosen.append(word)
        if len(chosen) == WORDS:
            break
    if len(chosen) < WORDS:
        sys.exit(f"only {len(chosen)} words")
    sys.stdout.write("\n".join(sorted(chosen)) + "\n")

main()
