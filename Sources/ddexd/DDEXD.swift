import ArgumentParser
import Daemon

@main
struct DDEXD: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ddexd",
        abstract: "DDEX file-exchange daemon: label packages in, per-DSP ERN bundles out over SFTP, acknowledgements and sales reports back.",
        version: Daemon.version,
        subcommands: [
            RunCommand.self,
            ValidateCommand.self,
            BuildCommand.self,
            CheckConfigCommand.self,
            StatusCommand.self,
            IngestDSRCommand.self,
            DeliverCommand.self,
            PollCommand.self,
            ImportCommand.self,
            StatementsCommand.self,
        ]
    )
}
