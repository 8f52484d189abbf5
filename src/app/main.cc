// kizuna: one binary for the hub server, its administration and the frontline tools.
#include <CLI/CLI.hpp>

#include "app/commands.h"

int main(int argc, char** argv) {
  CLI::App root{"Kizuna: STIX 2.1 / TAXII 2.1 hub for cross-border cyber cooperation"};
  root.require_subcommand(1);
  root.set_version_flag("--version", "kizuna 0.1.0");
  int exit_code = 0;
  kizuna::app::AddServeCommand(root, &exit_code);
  kizuna::app::AddAdminCommands(root, &exit_code);
  kizuna::app::AddSectorsCommand(root, &exit_code);
  kizuna::app::AddImportCommand(root, &exit_code);
  kizuna::app::AddValidateCommand(root, &exit_code);
  kizuna::app::AddExportCommand(root, &exit_code);
  kizuna::app::AddDemoCommand(root, &exit_code);
  kizuna::app::AddGenerateCommand(root, &exit_code);
  kizuna::app::AddPatternCommands(root, &exit_code);
  kizuna::app::AddDemoFederationCommand(root, &exit_code);
  kizuna::app::AddMatchCommand(root, &exit_code);
  kizuna::app::AddIncidentCommands(root, &exit_code);
  kizuna::app::AddBriefingCommand(root, &exit_code);
  try {
    root.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return root.exit(e);
  }
  return exit_code;
}
