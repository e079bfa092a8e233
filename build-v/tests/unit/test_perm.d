build-v/tests/unit/test_perm: tests/unit/test_perm.c lib/perm.h \
 lib/caller.h
lib/perm.h:
lib/caller.h:
