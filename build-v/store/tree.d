build-v/store/tree.o: store/tree.c store/db.h store/store.h lib/caller.h \
 lib/units.h lib/err.h lib/metric_lines.h lib/timeutil.h lib/stats.h \
 lib/sketch.h lib/strbuf.h store/logs.h store/trail.h store/tree.h \
 lib/format.h lib/parse.h
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
store/logs.h:
store/trail.h:
store/tree.h:
lib/format.h:
lib/parse.h:
