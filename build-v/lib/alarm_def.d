build-v/lib/alarm_def.o: lib/alarm_def.c lib/alarm.h lib/err.h \
 lib/parse.h lib/stats.h lib/sketch.h lib/strbuf.h lib/alarm_def_impl.h \
 lib/array.h lib/format.h lib/kv.h lib/caller.h lib/timeutil.h \
 lib/units.h lib/utf8.h
lib/alarm.h:
lib/err.h:
lib/parse.h:
lib/stats.h:
lib/sketch.h:
lib/strbuf.h:
lib/alarm_def_impl.h:
lib/array.h:
lib/format.h:
lib/kv.h:
lib/caller.h:
lib/timeutil.h:
lib/units.h:
lib/utf8.h:
