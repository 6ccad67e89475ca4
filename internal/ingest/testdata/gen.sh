#!/usr/bin/env bash
# Makes the image fixtures of the ingest tests with ImageMagick (Debian's
# imagemagick) and the DejaVu fonts. The outputs are committed, so the
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
