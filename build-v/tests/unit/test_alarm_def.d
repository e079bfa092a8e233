build-v/tests/unit/test_alarm_def: tests/unit/test_alarm_def.c \
 lib/alarm.h lib/err.h lib/parse.h lib/stats.h lib/sketch.h lib/strbuf.h \
 lib/utf8.h
lib/alarm.h:
lib/err.h:
lib/parse.h:
lib/stats.h:
lib/sketch.h:
lib/strbuf.h:
lib/utf8.h:
