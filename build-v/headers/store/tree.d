build-v/headers/store/tree.o: build-v/headers/store/tree.c store/tree.h \
 store/db.h store/store.h lib/caller.h lib/units.h lib/err.h \
 lib/metric_lines.h lib/timeutil.h lib/stats.h lib/sketch.h lib/strbuf.h
store/tree.h:
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
