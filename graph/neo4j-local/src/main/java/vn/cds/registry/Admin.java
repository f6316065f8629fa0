package vn.cds.registry;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.neo4j.cli.AbstractAdminCommand;
import org.neo4j.cli.ExecutionContext;
import org.neo4j.commandline.dbms.DumpCommand;
import org.neo4j.commandline.dbms.LoadCommand;
import org.neo4j.consistency.CheckCommand;
import picocli.CommandLine;

/**
 * Neo4j's own offline admin commands on the local server's store, from the same Maven artifacts
 * the server runs on: the code behind {@code neo4j-admin database dump|load|check}.
 *
 * <p>Usage: {@code Admin <data-dir> dump|load|check [neo4j-admin options...]}, e.g. {@code Admin
 * var/neo4j dump neo4j --to-path=backups}. The data directory is the one {@link LocalNeo4j} was
 * started on (its Neo4j home); the server must be stopped, as for neo4j-admin. Exits with the
 * command's status; Neo4j's messages go to stdout/stderr unchanged.
 */
public final class Admin {
    private Admin() {}

    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: Admin <data-dir> dump|load|check [options...]");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        // No neo4j.conf: the defaults place the store under <home>/data, as LocalNeo4j does.
        Path conf = home.resolve("conf");
        ExecutionContext context = new ExecutionContext(home, conf);
        AbstractAdminCommand command =
                switch (args[1]) {
                    case "dump" -> new DumpCommand(context);
                    case "load" -> new LoadCommand(context);
                    case "check" -> new CheckCommand(context);
                    default -> null;
                };
        if (command == null || !Files.isDirectory(home)) {
            System.err.println(
                    command == null ? "unknown command " + args[1] : "no store at " + home);
            System.exit(2);
            return;
        }
        String[] rest = Arrays.copyOfRange(args, 2, args.length);
        System.exit(new CommandLine(command).execute(rest));
    }
}
