#pragma once
// Minimal process harness for integration tests (the patterning branch's
// subset; the lead merges it with the full harness). Runs a program with
// the given stdin and collects its exit status and output.

#include <string>
#include <vector>

namespace kizuna::testing {

struct ProcessResult {
  int exit_code = -1;  // the exit status, or 128 + signal number
  std::string out, err;
};

// Runs argv[0] (a path) with arguments argv[1..], writing `stdin_text` to its
// standard input; waits for it to exit.
ProcessResult RunProcess(const std::vector<std::string>& argv, const std::string& stdin_text);

}  // namespace kizuna::testing
