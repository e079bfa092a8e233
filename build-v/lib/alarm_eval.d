build-v/lib/alarm_eval.o: lib/alarm_eval.c lib/alarm.h lib/err.h \
 lib/parse.h lib/stats.h lib/sketch.h lib/strbuf.h lib/format.h \
 lib/timeutil.h
lib/alarm.h:
lib/err.h:
lib/parse.h:
lib/stats.h:
lib/sketch.h:
lib/strbuf.h:
lib/format.h:
lib/timeutil.h:
