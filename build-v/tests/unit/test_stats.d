build-v/tests/unit/test_stats: tests/unit/test_stats.c lib/stats.h \
 lib/sketch.h
lib/stats.h:
lib/sketch.h:
