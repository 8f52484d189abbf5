#pragma once
// Each CLI command group lives in its own cmd_<name>.cc and registers itself
// on the root CLI11 app here. A command's callback stores its exit status in
// *exit_code; main() returns it.

namespace CLI {
class App;
}

namespace kizuna::app {

struct StoreFlags;

void AddServeCommand(CLI::App& root, int* exit_code);
void AddAdminCommands(CLI::App& root, int* exit_code);
void AddSectorsCommand(CLI::App& root, int* exit_code);
void AddImportCommand(CLI::App& root, int* exit_code);
void AddValidateCommand(CLI::App& root, int* exit_code);  // cmd_import.cc
void AddExportCommand(CLI::App& root, int* exit_code);
void AddDemoCommand(CLI::App& root, int* exit_code);
void AddGenerateCommand(CLI::App& root, int* exit_code);
void AddPatternCommands(CLI::App& root, int* exit_code);
// Issue 5: `kizuna admin peer|webhook ...` (called by AddAdminCommands with
// its store flags) and `kizuna demo-federation`.
void AddFederationAdminCommands(CLI::App* admin, const StoreFlags* flags, const bool* as_json,
                                int* exit_code);
void AddDemoFederationCommand(CLI::App& root, int* exit_code);
void AddMatchCommand(CLI::App& root, int* exit_code);  // cmd_match.cc (frontline matcher)
void AddIncidentCommands(CLI::App& root, int* exit_code);  // cmd_incident.cc (issue 11)
void AddBriefingCommand(CLI::App& root, int* exit_code);   // cmd_briefing.cc (issue 13)

}  // namespace kizuna::app
