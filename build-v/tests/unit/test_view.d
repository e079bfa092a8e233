build-v/tests/unit/test_view: tests/unit/test_view.c fs/view.h lib/err.h \
 lib/timeutil.h lib/stats.h lib/sketch.h
fs/view.h:
lib/err.h:
lib/timeutil.h:
lib/stats.h:
lib/sketch.h:
