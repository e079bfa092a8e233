build-v/tests/unit/test_kv: tests/unit/test_kv.c lib/kv.h lib/err.h \
 lib/strbuf.h
lib/kv.h:
lib/err.h:
lib/strbuf.h:
