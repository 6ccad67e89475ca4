#!/usr/bin/env bash
# Makes opis.pdf, the archive browser test's PDF, and delo.pdf, the whole
# path's (a name to redact, three paragraphs far enough apart for
# pdftotext -layout to keep them apart): Cyrillic text layers as cairo
# writes them (pango-view, from pango1.0-tools, and the DejaVu fonts).
# They are committed, so the tests need only poppler; run this only to
# change them.
set -euo pipefail
cd "$(dirname "$0")"
printf 'Опись фонда 17\nГосударственные архивы передали эти документы в 1991 году.\nСекретно. Экземпляр единственный.\n' >opis.txt
pango-view --no-display --font="DejaVu Sans 14" --output=opis.pdf opis.txt
rm opis.txt
printf 'Протокол допроса\n\n\n\nСледователь Иванов допросил свидетеля в марте.\n\n\n\nДело номер семь закрыто по приказу прокурора.\n' >delo.txt
pango-view --no-display --font="DejaVu Sans 14" --output=delo.pdf delo.txt
rm delo.txt
