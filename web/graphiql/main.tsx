// GraphiQL for the registry's /graphql, bundled with its CSS by esbuild so the page loads
// nothing from the internet (see api/graphiql.py, which serves the page and the bundle).
import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import "graphiql/graphiql.css";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

const root = document.getElementById("graphiql");
if (root === null) {
  throw new Error("GraphiQL: no #graphiql element on the page");
}
// The page is served at the endpoint itself (GET /graphql), so this is /graphql, including any
// prefix a reverse proxy adds in front of the app.
const url = window.location.pathname;
const fetcher = createGraphiQLFetcher({ url });

createRoot(root).render(
  <StrictMode>
    <GraphiQL fetcher={fetcher} />
  </StrictMode>,
);
