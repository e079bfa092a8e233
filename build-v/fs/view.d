build-v/fs/view.o: fs/view.c fs/view.h lib/err.h lib/timeutil.h \
 lib/stats.h lib/sketch.h lib/format.h lib/strbuf.h lib/parse.h \
 lib/pattern.h
fs/view.h:
lib/err.h:
lib/timeutil.h:
lib/stats.h:
lib/sketch.h:
lib/format.h:
lib/strbuf.h:
lib/parse.h:
lib/pattern.h:
