// `kizuna pattern check|eval`: owned by the patterning work (src/pattern).
#include <CLI/CLI.hpp>

#include "app/commands.h"

namespace kizuna::app {

void AddPatternCommands(CLI::App& root, int* exit_code) {
  auto* pattern = root.add_subcommand("pattern", "STIX patterning: check and evaluate patterns");
  pattern->require_subcommand(1);
  (void)exit_code;
}

}  // namespace kizuna::app
