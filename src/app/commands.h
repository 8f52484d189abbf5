#pragma once
// Each CLI command group lives in its own cmd_<name>.cc and registers itself
// on the root CLI11 app here. A command's callback stores its exit status in
// *exit_code; main() returns it.

namespace CLI {
class App;
}

namespace kizuna::app {

void AddPatternCommands(CLI::App& root, int* exit_code);

}  // namespace kizuna::app
