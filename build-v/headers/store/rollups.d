build-v/headers/store/rollups.o: build-v/headers/store/rollups.c \
 store/rollups.h store/db.h store/store.h lib/caller.h lib/units.h \
 lib/err.h lib/metric_lines.h lib/timeutil.h lib/stats.h lib/sketch.h \
 lib/strbuf.h
store/rollups.h:
store/db.h:
store/store.h:
lib/caller.h:
lib/units.h:
lib/err.h:
lib/metric_lines.h:
lib/timeutil.h:
lib/stats.h:
lib/sketch.h:
lib/strbuf.h:
