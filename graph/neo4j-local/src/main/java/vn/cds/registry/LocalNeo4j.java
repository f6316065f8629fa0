package vn.cds.registry;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.QueryExecutionException;
import org.neo4j.io.ByteUnit;

/**
 * Starts Neo4j Community as a DBMS with Bolt on 127.0.0.1 only, for development and tests.
 *
 * <p>Usage: {@code LocalNeo4j <data-dir> <bolt-port> <password> [pagecache-mb [settings-file]]}.
 * The optional settings file holds further Neo4j settings in neo4j.conf's syntax (one
 * {@code name=value} per line, the names of the Neo4j operations manual); the ones above win. Prints
 * {@code NEO4J_READY bolt://127.0.0.1:<port>} on stdout once Bolt accepts connections, and shuts
 * the DBMS down cleanly on SIGTERM/SIGINT (the JVM runs the shutdown hook), so the store is never
 * left needing recovery.
 */
public final class LocalNeo4j {
    private LocalNeo4j() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println(
                    "usage: LocalNeo4j <data-dir> <bolt-port> <password> [pagecache-mb [settings-file]]");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        String password = args[2];
        long pageCacheMb = args.length > 3 ? Long.parseLong(args[3]) : 512;
        Files.createDirectories(home);

        DatabaseManagementService dbms;
        try {
            dbms = build(home, port, pageCacheMb, args.length > 4 ? Path.of(args[4]) : null);
        } catch (RuntimeException e) {
            // An unknown setting or a bad value in the settings file: one line, not a trace.
            System.err.println("NEO4J_FAILED " + e.getMessage());
            System.exit(1);
            return;
        }

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            dbms.shutdown();
            stopped.countDown();
        }, "neo4j-local-shutdown"));

        // Embedded Community has no neo4j-admin set-initial-password; set it through the system
        // database instead. The first start changes the default password, later starts re-apply
        // the one given so a changed NEO4J_PASSWORD takes effect.
        try {
            setPassword(dbms, password);
        } catch (RuntimeException e) {
            // Without this the DBMS threads keep the JVM alive and the caller waits for nothing.
            System.err.println("NEO4J_FAILED " + e.getMessage());
            dbms.shutdown();
            System.exit(1);
        }

        System.out.println("NEO4J_READY bolt://127.0.0.1:" + port);
        System.out.flush();
        stopped.await();
    }

    private static DatabaseManagementService build(
            Path home, int port, long pageCacheMb, Path settingsFile) {
        DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(home);
        if (settingsFile != null) {
            // First, so the settings below (Bolt on 127.0.0.1 only, auth) cannot be overridden.
            builder.loadPropertiesFromFile(settingsFile);
        }
        return builder
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
                // Only Bolt: the HTTP API and browser are not part of this project's local stack.
                .setConfig(HttpConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pageCacheMb))
                .build();
    }

    private static void setPassword(DatabaseManagementService dbms, String password) {
        try {
            dbms.database("system").executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED",
                    Map.of("password", password));
        } catch (QueryExecutionException e) {
            // A restart on an existing store with the same password: Neo4j refuses to "change"
            // a password to itself, which means it is already what we want.
            if (e.getMessage() == null || !e.getMessage().contains("cannot be the same")) {
                throw e;
            }
        }
    }
}
