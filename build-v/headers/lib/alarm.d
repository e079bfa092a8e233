build-v/headers/lib/alarm.o: build-v/headers/lib/alarm.c lib/alarm.h \
 lib/err.h lib/parse.h lib/stats.h lib/sketch.h lib/strbuf.h
lib/alarm.h:
lib/err.h:
lib/parse.h:
lib/stats.h:
lib/sketch.h:
lib/strbuf.h:
