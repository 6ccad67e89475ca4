#!/usr/bin/env bash
# Makes opis.pdf, the archive browser test's PDF: a Cyrillic text layer as
# cairo writes it (pango-view, from pango1.0-tools, and the DejaVu fonts).
# It is committed, so the test needs only poppler; run this only to change it.
set -euo pipefail
cd "$(dirname "$0")"
printf 'Опись фонда 17\nГосударственные архивы передали эти документы в 1991 году.\nСекретно. Экземпляр единственный.\n' >opis.txt
pango-view --no-display --font="DejaVu Sans 14" --output=opis.pdf opis.txt
rm opis.txt
