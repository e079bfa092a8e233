build-v/tests/unit/test_alarm_eval: tests/unit/test_alarm_eval.c \
 lib/alarm.h lib/err.h lib/parse.h lib/stats.h lib/sketch.h lib/strbuf.h \
 lib/format.h lib/timeutil.h
lib/alarm.h:
lib/err.h:
lib/parse.h:
lib/stats.h:
lib/sketch.h:
lib/strbuf.h:
lib/format.h:
lib/timeutil.h:
