build-v/store/named.o: store/named.c store/named.h store/db.h \
 store/store.h lib/caller.h lib/units.h lib/err.h lib/metric_lines.h \
 lib/timeutil.h lib/stats.h lib/sketch.h lib/strbuf.h store/trail.h
store/named.h:
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
store/trail.h:
