#!/usr/bin/env bash
# Makes the fixtures of the ingest tests with real tools: ImageMagick and
# Ghostscript (Debian's imagemagick), pango-view (pango1.0-tools), pandoc,
# Info-ZIP's zip, and the DejaVu fonts. The outputs are committed, so the
# tests themselves need only tesseract and poppler; run this again only to
# change them.
set -euo pipefail
cd "$(dirname "$0")"
font=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
ru=$'Протокол заседания комиссии\nот двенадцатого марта.\nПрисутствовали все члены\nкомиссии, кроме Сидорова.'
en=$'The committee met on Tuesday\nand agreed that the report\nwould be published in March.'
render() { convert -background white -fill black -font "$font" -pointsize 12 -density 300 -units PixelsPerInch -bordercolor white -border 40 label:"$1" -colorspace Gray -depth 8 "$2"; }
render "$ru" ru.png
render "$en" en.png
convert ru.png -quality 70 ru.jpg
convert ru.png en.png -compress lzw pages.tif
# A PDF that needs a password to open, made by Ghostscript's pdfwrite.
printf '%%!PS\n/Helvetica findfont 14 scalefont setfont 72 720 moveto (A secret page) show showpage\n' |
  gs -q -dNOPAUSE -dBATCH -sDEVICE=pdfwrite -sOwnerPassword=owner -sUserPassword=user -dEncryptionR=3 -dKeyLength=128 -sOutputFile=encrypted.pdf -

# A PDF whose text layer is Cyrillic, as cairo writes it (subset fonts with
# a ToUnicode map).
printf 'Протокол заседания комиссии\nПрисутствовали все члены комиссии, кроме Сидорова.\n' >ru-text.txt
pango-view --no-display --font="DejaVu Sans 14" --output=ru-text.pdf ru-text.txt
rm ru-text.txt

# DOCX and ODT as pandoc writes them, with metadata, a heading, a table.
md=$'---\ntitle: Протокол заседания\nauthor: Кузнецова\n---\n\n# Повестка дня\n\nПрисутствовали все члены комиссии, кроме Сидорова.\n\n| Фамилия | Голос |\n|---|---|\n| Петров | за |\n'
printf '%s' "$md" | pandoc -f markdown -t docx -o ru.docx
printf '%s' "$md" | pandoc -f markdown -t odt -o ru.odt

# Zips as DOS and old Unix archivers wrote them: Info-ZIP storing the raw
# bytes of CP866 and KOI8-R file names, without the UTF-8 flag.
tmp=$(mktemp -d)
python3 - "$tmp" <<'PY'
import os, sys
for cs, top in [("cp866", "cp866"), ("koi8_r", "koi8r")]:
    d = os.path.join(sys.argv[1].encode(), top.encode(), "письма".encode(cs))
    os.makedirs(d)
    with open(os.path.join(d, "письмо председателю.txt".encode(cs)), "wb") as f:
        f.write("Дорогой Иван Петрович! Пишу вам из Ленинграда.\n".encode(cs))
PY
for cs in cp866 koi8r; do
  rm -f "legacy-$cs.zip"
  (cd "$tmp/$cs" && LC_ALL=C zip -q -r -X - .) >"legacy-$cs.zip"
done
rm -rf "$tmp"

# A PDF with an owner password only: anyone may open it; it forbids
# copying, which poppler does not enforce.
printf '%%!PS\n/Helvetica findfont 14 scalefont setfont 72 720 moveto (The committee met on Tuesday and agreed on the report.) show showpage\n' |
  gs -q -dNOPAUSE -dBATCH -sDEVICE=pdfwrite -sOwnerPassword=owner -dPermissions=-3904 -dEncryptionR=3 -dKeyLength=128 -sOutputFile=owner-only.pdf -
