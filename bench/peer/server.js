// The peer of `python -m bench.peer`: the Neo4j GraphQL Library (which compiles each request
// into one Cypher query) under Apollo Server, serving the store the registry's API serves.
// The typeDefs cover what the bench's four queries read, with the store's labels and property
// names (graph/README.md). Read-only: every generated mutation is switched off.
//
// Environment: PORT, WORKERS (node's cluster module: one Apollo server per worker, sharing the
// port), NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE.
import cluster from "node:cluster";
import process from "node:process";

import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { Neo4jGraphQL } from "@neo4j/graphql";
import neo4j from "neo4j-driver";

// A team or membership active on $day, as graph/core/cypher.py active_on spells it.
const ACTIVE = (v) => `${v}.since <= $day AND (${v}.until IS NULL OR ${v}.until >= $day)`;

// Coverage's count of communes with a team (graph/reports/coverage.py): the places under a
// province (itself and everything up to two levels below), a team operating there or, for a
// legacy commune, a team that kept it as legacyUnitKey (graph/network/teams.py TEAMS_OF_PLACE).
const COMMUNES_WITH_TEAM = `
MATCH (u:AdministrativeUnit)-[:PART_OF*0..2]->(this)
WHERE EXISTS { MATCH (t:CommunityTechTeam)-[:OPERATES_IN]->(u) WHERE ${ACTIVE("t")} }
   OR EXISTS { MATCH (t:CommunityTechTeam {legacyUnitKey: u.key}) WHERE ${ACTIVE("t")} }
RETURN count(DISTINCT u) AS n`;

// The anonymous search of graph/reports/search.py (no PERSON branch: anonymous callers never
// get people), with its full-text indexes and score. The client sends the text already folded
// (lower case, no diacritics): a generated API has no hook for graph/core/text.py fold, so the
// Lucene expression is built here from the words as given.
const SEARCH = `
WITH [w IN split(trim($text), ' ') WHERE w <> ''] AS words
WITH reduce(q = '', i IN range(0, size(words) - 1) |
       q + CASE WHEN i > 0 THEN ' AND ' ELSE '' END + words[i]
         + CASE WHEN i = size(words) - 1 THEN '*' ELSE '' END) AS q,
     reduce(s = '', i IN range(0, size(words) - 1) |
       s + CASE WHEN i > 0 THEN ' ' ELSE '' END + words[i]) AS exact
CALL (q) {
  CALL db.index.fulltext.queryNodes('unit_search', q, {limit: $first}) YIELD node, score
  RETURN 'UNIT' AS kind, node.name AS name, node.searchKey AS folded, score
  UNION ALL
  CALL db.index.fulltext.queryNodes('organisation_search', q, {limit: $first}) YIELD node, score
  RETURN 'ORGANISATION' AS kind, node.name AS name, node.searchKey AS folded, score
  UNION ALL
  CALL db.index.fulltext.queryNodes('team_search', q, {limit: $first}) YIELD node, score
  RETURN 'TEAM' AS kind, node.name AS name, node.searchKey AS folded, score
  UNION ALL
  CALL db.index.fulltext.queryNodes('expert_search', q, {limit: $first * 4}) YIELD node, score
  WITH node, score WHERE node.status = 'VERIFIED'
  MATCH (p:Person)-[:HAS_PROFILE]->(node)
  RETURN 'EXPERT' AS kind, p.fullName AS name, p.searchKey AS folded, score
}
WITH kind, name,
     score + CASE WHEN folded = exact THEN 100.0 ELSE 0.0 END
           + CASE WHEN folded STARTS WITH exact THEN 50.0 ELSE 0.0 END
           + CASE WHEN kind = 'UNIT' THEN 10.0 ELSE 0.0 END AS score
ORDER BY score DESC, name
LIMIT $first
RETURN {kind: kind, name: name, score: score} AS hit`;

const typeDefs = /* GraphQL */ `
  extend schema @mutation(operations: [])

  type AdministrativeUnit @node {
    key: ID!
    era: String!
    level: String!
    code: String!
    name: String!
    children: [AdministrativeUnit!]! @relationship(type: "PART_OF", direction: IN)
    teams: [CommunityTechTeam!]! @relationship(type: "OPERATES_IN", direction: IN)
    "Communes under the unit (coverage's denominator)."
    communes: Int!
      @cypher(
        statement: "MATCH (u:AdministrativeUnit {level: 'COMMUNE'})-[:PART_OF*0..2]->(this) RETURN count(DISTINCT u) AS n"
        columnName: "n"
      )
    "Communes under the unit with a team active on the day (coverage's numerator)."
    communesWithTeam(day: Date!): Int! @cypher(statement: """${COMMUNES_WITH_TEAM}""", columnName: "n")
  }

  type Membership @relationshipProperties {
    role: String!
    since: Date
    until: Date
  }

  type CommunityTechTeam @node {
    id: ID!
    name: String!
    since: Date
    until: Date
    members: [Person!]! @relationship(type: "MEMBER_OF", direction: IN, properties: "Membership")
  }

  type Person @node {
    id: ID!
    fullName: String
  }

  type ExpertProfile @node {
    id: ID!
    status: String!
    expertise: [String!]
    affiliation: String
    "The directory's order (graph/experts/directory.py): the folded name, then the id."
    sortKey: String
      @cypher(
        statement: "MATCH (p:Person)-[:HAS_PROFILE]->(this) RETURN p.searchKey + '\\t' + this.id AS k"
        columnName: "k"
      )
    person: [Person!]! @relationship(type: "HAS_PROFILE", direction: IN)
    locatedIn: [AdministrativeUnit!]! @relationship(type: "LOCATED_IN", direction: OUT)
    supports: [AdministrativeUnit!]! @relationship(type: "SUPPORTS", direction: OUT)
  }

  type SearchHit {
    kind: String!
    name: String!
    score: Float!
  }

  type Query {
    search(text: String!, first: Int!): [SearchHit!]! @cypher(statement: """${SEARCH}""", columnName: "hit")
  }
`;

async function serve() {
  const driver = neo4j.driver(
    process.env.NEO4J_URI ?? "bolt://127.0.0.1:7687",
    neo4j.auth.basic(process.env.NEO4J_USER ?? "neo4j", process.env.NEO4J_PASSWORD ?? ""),
  );
  const database = process.env.NEO4J_DATABASE ?? "neo4j";
  const schema = await new Neo4jGraphQL({ typeDefs, driver }).getSchema();
  if (process.env.PRINT_SCHEMA) {
    const { printSchema } = await import("graphql");
    console.log(printSchema(schema));
    process.exit(0);
  }
  const server = new ApolloServer({ schema });
  const { url } = await startStandaloneServer(server, {
    listen: { port: Number(process.env.PORT ?? 4000), host: "127.0.0.1" },
    context: async () => ({ sessionConfig: { database } }),
  });
  console.log(`peer worker ${process.pid} at ${url}`);
}

const workers = Number(process.env.WORKERS ?? 1);
if (cluster.isPrimary && workers > 1 && !process.env.PRINT_SCHEMA) {
  for (let i = 0; i < workers; i += 1) cluster.fork();
  cluster.on("exit", (worker, code) => {
    console.error(`peer worker ${worker.process.pid} exited (${code})`);
    process.exit(1);
  });
  for (const signal of ["SIGTERM", "SIGINT"]) {
    process.on(signal, () => {
      for (const worker of Object.values(cluster.workers)) worker.kill();
      process.exit(0);
    });
  }
} else {
  await serve();
}
