#!/usr/bin/env bash
# Makes the demo's sample trove (trove/) with real tools: iconv, pango-view
# (pango1.0-tools), pandoc, Info-ZIP's zip, GNU tar, ImageMagick and the
# DejaVu fonts; tesseract (rus+eng) checks the scan can be read. The outputs
# are committed and embedded, so neither the build nor the demo needs these
# tools; run this again only to change the trove.
#
# Every text below is written for Confide: a fictional regional committee's
# archive ("fond 114" of the town of Ensk), nothing copied.
set -euo pipefail
cd "$(dirname "$0")"
# Reproducible: fixed dates in the DOCX and PDF metadata, fixed noise.
export SOURCE_DATE_EPOCH=1761955200 # 2025-11-01
rm -rf trove
mkdir -p trove/fond-114/opis-1 trove/fond-114/opis-2 trove/fond-114/opis-3 trove/fond-114/opis-4 trove/translations trove/notes trove/mail
font=/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf

# UTF-8: the certificate the trove starts from.
cat >trove/fond-114/opis-1/spravka-1991.txt <<'EOF'
СПРАВКА
о передаче архивов областного комитета

Настоящим подтверждается, что 14 ноября 1991 года архивы областного
комитета (фонд 114, описи 1–4) переданы на хранение в государственный
архив области. Всего передано 312 дел на 41 полке. Дела с грифом
«секретно» переданы отдельным актом и до особого решения закрыты для
читателей.

Опись составлена в двух экземплярах: один остаётся в общем отделе,
второй передан хранителю фонда.

Заведующий общим отделом                       А. Н. Ветров
EOF

# Its English translation, as a file beside it.
cat >trove/translations/spravka-1991-en.txt <<'EOF'
CERTIFICATE
on the transfer of the regional committee's archives

(Translated from the Russian for the newsroom; the original is
fond-114/opis-1/spravka-1991.txt.)

This certifies that on 14 November 1991 the archives of the regional
committee (fond 114, inventories 1 to 4) were handed over for safekeeping
to the state archive of the region. In all, 312 files on 41 shelves were
transferred. Files marked "secret" were handed over under a separate act
and are closed to readers until a special decision.

The inventory is made in two copies: one stays with the general
department, the second goes to the keeper of the fond.

Head of the general department                 A. N. Vetrov
EOF

# Windows-1251: a letter typed on a 1990s office computer.
iconv -f UTF-8 -t WINDOWS-1251 >trove/fond-114/opis-1/pismo-1957.txt <<'EOF'
Уважаемый товарищ Ветров!

Прошу выдать мне заверенную копию решения бюро от 9 марта 1957 года о
переселении жителей посёлка Заречный. Решение хранится в архиве обкома,
в деле № 57 описи 1. Без этой копии районный совет не может вернуть моей
семье дом, отнятый тогда без всякого объяснения.

Прошу также сообщить, сохранились ли списки переселённых. В районе мне
сказали, что такие списки никогда не составлялись, но соседи помнят, как
их зачитывали вслух на собрании.

С уважением,
Мария Ильинична Сорокина, учительница, г. Энск
EOF

# KOI8-R: an order, as a Unix terminal of the early 1990s kept it.
iconv -f UTF-8 -t KOI8-R >trove/fond-114/opis-2/prikaz-1962.txt <<'EOF'
ПРИКАЗ N 17
по общему отделу областного комитета
г. Энск, 2 апреля 1962 года

О порядке выдачи документов архива

1. Выдавать документы архива только по письменному разрешению
   заведующего общим отделом.
2. Каждую выдачу записывать в книгу учёта с указанием фамилии
   читателя, номера дела и числа листов.
3. Дела, переданные из особого сектора, не выдавать вовсе.
4. Контроль за исполнением приказа возложить на хранителя фонда
   тов. Лаптева Г. С.

Заведующий общим отделом                         И. П. Грушин
EOF

# CP866: an inventory typed under MS-DOS.
iconv -f UTF-8 -t CP866 >trove/fond-114/opis-2/opis-dos.txt <<'EOF'
ОПИСЬ № 2
дел постоянного хранения общего отдела
(набрана на ЭВМ "Искра-1030" в 1990 году)

 № п/п | Заголовок дела                                   | Годы      | Листов
-------+--------------------------------------------------+-----------+-------
   1   | Переписка с районными комитетами                 | 1961-1963 |   214
   2   | Книга учёта выдачи дел                            | 1962-1975 |    96
   3   | Перечень архивов районных комитетов              | 1964      |    38
   4   | Акты о выделении дел к уничтожению               | 1968-1971 |    12

Составил хранитель фонда                                   Г. С. Лаптев
EOF

# HTML: the newsroom's page about where the trove came from.
cat >trove/notes/chronology.html <<'EOF'
<!doctype html>
<html lang="ru">
<head><meta charset="utf-8"><title>Хронология: как фонд 114 попал к нам</title></head>
<body>
<h1>Хронология: как фонд 114 попал к нам</h1>
<ul>
<li><b>1991.</b> Дела обкома передают в областной архив; часть остаётся в подвале общего отдела.</li>
<li><b>2019.</b> Бывший хранитель фонда пишет нам, что копировал дела по вечерам, и ходил по архивам районов, чтобы найти пропавшие описи.</li>
<li><b>2025.</b> Он передаёт нам сканы и файлы через дропбокс. Мы проверяем каждое дело по описи.</li>
</ul>
<p>Перевод на английский делает наша переводчица; готовые переводы лежат в папке <code>translations</code>.</p>
</body>
</html>
EOF

# Markdown: a reading guide, half Russian, half English.
cat >trove/notes/reading-guide.md <<'EOF'
# Как читать этот фонд / How to read this fond

Фонд 114 — это дела общего отдела обкома, 1957–1991. Мы работаем с
архивом как с источником: каждое утверждение сверяем хотя бы с двумя
делами.

- **opis-1**: справки и письма граждан;
- **opis-2**: приказы и описи, многие набраны на ЭВМ в КОИ-8 или CP866;
- **opis-3**: обзоры и записки, PDF и DOCX;
- **opis-4**: сканы машинописи, текст распознан OCR — проверяйте по образу.

In English: the fond holds the general department's files. Search in
Russian finds every form of a word: *архивы* also finds *архива* and
*архивов*.
EOF

# PDF with a text layer (cairo's subset fonts with a ToUnicode map).
cat >obzor.txt <<'EOF'
ОБЗОР
состояния документов в районах, 1968 год

В архивах районных комитетов проверено 1 204 дела. В трёх районах
дела хранятся в сырых помещениях, листы слиплись и не читаются.
В Заречном районе описи за 1957 год не найдены вовсе.

Предлагается вывезти дела в областной центр до конца года.
EOF
pango-view --no-display --font="DejaVu Sans 11" --output=trove/fond-114/opis-3/obzor-1968.pdf obzor.txt
# cairo 1.16 ignores SOURCE_DATE_EPOCH: its date, same length, in place.
LC_ALL=C sed -i -E 's/D:[0-9]{14}Z/D:20251101000000Z/' trove/fond-114/opis-3/obzor-1968.pdf
rm obzor.txt

# DOCX as pandoc writes it, with a title and an author.
pandoc -f markdown -t docx -o trove/fond-114/opis-3/zapiska-1979.docx <<'EOF'
---
title: Записка о приёме дел
author: Г. С. Лаптев
---

# Записка

В архив общего отдела приняты дела особого сектора за 1975–1978 годы,
всего 64 дела. Дела опечатаны и до решения бюро не описываются.

| Сектор | Дел |
|---|---|
| особый | 64 |
| общий | 0 |
EOF

# A tar.gz of two resolutions, as a Unix system would have packed them.
tmp=$(mktemp -d)
mkdir "$tmp/rezolyutsii"
cat >"$tmp/rezolyutsii/1971-rezolyutsiya.txt" <<'EOF'
Резолюция на полях: «Дела за 1957 год в архив не сдавать. Хранить в
сейфе особого сектора. — И. Г.»
EOF
cat >"$tmp/rezolyutsii/1972-rezolyutsiya.txt" <<'EOF'
Резолюция: «Акт об уничтожении дел № 4 утвердить. Копию акта оставить
в деле. Сами дела не уничтожать до особого распоряжения».
EOF
tar -C "$tmp" --sort=name --owner=0 --group=0 --numeric-owner --mtime=1972-06-01 -cf - rezolyutsii | gzip -9n >trove/fond-114/opis-3/rezolyutsii.tar.gz
rm -rf "$tmp"

# A zip as an old Unix archiver wrote it: a member whose name is raw KOI8-R
# bytes (no UTF-8 flag), with KOI8-R text, beside an English note.
tmp=$(mktemp -d)
python3 - "$tmp" <<'PY'
import os, sys
d = os.path.join(sys.argv[1].encode(), b"letters-1970s")
os.makedirs(d)
with open(os.path.join(d, "письмо из Заречного.txt".encode("koi8_r")), "wb") as f:
    f.write(("Дорогая Мария Ильинична! Ваше письмо передали в архив, и мне "
             "удалось увидеть дело N 57. Списки переселённых в нём есть: сорок "
             "две семьи, и ваша среди них. Копию снять не дали. Пишу вам, чтобы "
             "вы знали, что вас не обманули: всё записано.\nГ. Л., 1974\n").encode("koi8_r"))
with open(os.path.join(d, b"envelope.txt"), "w") as f:
    f.write("Envelope: posted in Ensk, 3 May 1974, no return address.\n")
PY
(cd "$tmp" && TZ=UTC touch -d 1974-05-03 letters-1970s letters-1970s/* && LC_ALL=C zip -q -r -X - letters-1970s) >trove/fond-114/letters-1970s.zip
rm -rf "$tmp"

# An email with an attachment: the translator sends her glossary.
gloss=$(printf '%s\n' 'Глоссарий переводчика' 'архив — archive' 'архивы обкома — the regional committee'"'"'s archives' 'опись — inventory' 'дело — file' 'фонд — fond (a record group)' | iconv -f UTF-8 -t WINDOWS-1251 | base64 -w 76)
cat >trove/mail/perevod-2025.eml <<EOF
From: Translator <translator@example.org>
To: Desk <desk@example.org>
Subject: =?UTF-8?B?$(printf 'Перевод справки о передаче архивов' | base64 -w 0)?=
Date: Mon, 3 Nov 2025 00:00:00 +0000
Message-ID: <glossary-114@example.org>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b114"

--b114
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Коллеги, перевод справки 1991 года готов: translations/spravka-1991-en.txt.
Во вложении глоссарий, чтобы мы переводили архивы обкома одинаково.

The 1991 certificate is translated; the glossary is attached.

--b114
Content-Type: text/plain; charset=windows-1251; name="glossary.txt"
Content-Disposition: attachment; filename="glossary.txt"
Content-Transfer-Encoding: base64

$gloss
--b114--
EOF

# An mbox of two messages between the desk and the source's intermediary.
cat >trove/mail/desk-2025.mbox <<'EOF'
From desk@example.org Sat Nov  1 00:00:00 2025
From: Desk <desk@example.org>
To: Editor <editor@example.org>
Subject: Fond 114: what we have
Date: Sat, 1 Nov 2025 00:00:00 +0000
Message-ID: <desk-1@example.org>

We now hold four inventories of fond 114 and one box of scans. The
scans are typewritten pages; OCR reads most of them. Start with the
1953 report in opis-4: it names the closed archives.

From editor@example.org Sun Nov  2 00:00:00 2025
From: Editor <editor@example.org>
To: Desk <desk@example.org>
Subject: Re: Fond 114: what we have
Date: Sun, 2 Nov 2025 00:00:00 +0000
Message-ID: <desk-2@example.org>
In-Reply-To: <desk-1@example.org>

Good. Check every name against two files before we write a line.
Спасибо за опись архивов районов: она пригодится.
EOF

# One scanned typewritten page: rendered, then aged as a scanner sees it
# (paper tone, noise, a slight tilt and blur), grey JPEG.
scan=$'СЕКРЕТНО\nЭкз. № 2\n\n        СПРАВКА\n  о состоянии архивов\n  Энского района, 1953 год\n\nАрхивы района размещены в двух\nкомнатах бывшей школы. Печи нет,\nокна заколочены фанерой.\n\nДела за 1937-1938 годы изъяты\nв особый сектор, описи к ним\nне составлялись. Читателей в\nархив не допускать.\n\n  Инспектор  Н. Фомина'
convert -seed 114 -background white -fill '#202020' -font "$font" -pointsize 13 -density 200 -units PixelsPerInch \
  label:"$scan" -bordercolor white -border 130x150 -gravity north -extent 1000x1300 \
  -blur 0x0.7 -level 0%,100%,0.8 -fill '#ebe5d6' -opaque white \
  -attenuate 0.45 +noise Gaussian \
  -background '#8f8a80' -rotate 1.3 -gravity center -crop 1000x1300+0+0 +repage \
  \( -size 1000x1300 gradient:'#d8d2c4-#ffffff' -rotate 90 -resize 1000x1300! \) -compose multiply -composite \
  -colorspace Gray -depth 8 -strip -quality 60 -density 200 trove/fond-114/opis-4/scan-1953.jpg

if command -v tesseract >/dev/null; then
  echo "tesseract reads the scan as:"
  tesseract trove/fond-114/opis-4/scan-1953.jpg - -l rus+eng 2>/dev/null
fi
du -sh trove
