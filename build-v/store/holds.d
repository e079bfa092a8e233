build-v/store/holds.o: store/holds.c store/holds.h
store/holds.h:
