// q11: the Quận 11 device database from the command line. See `q11 --help`.
#include "cli.h"

int main(int argc, char** argv) { return q11::cli::Main(argc, argv); }
