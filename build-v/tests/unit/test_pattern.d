build-v/tests/unit/test_pattern: tests/unit/test_pattern.c lib/pattern.h \
 lib/err.h
lib/pattern.h:
lib/err.h:
