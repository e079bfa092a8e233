build-v/tests/unit/test_space: tests/unit/test_space.c store/space.h
store/space.h:
