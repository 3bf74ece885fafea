// WASI command: writes to stdout and stderr, echoes its args, exits with argv[1] when given.
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  printf("hello from wasi\n");
  for (int i = 1; i < argc; i++) printf("arg %d: %s\n", i, argv[i]);
  fprintf(stderr, "a line on stderr\n");
  fflush(stdout);
  return argc > 1 ? atoi(argv[1]) : 0;
}
