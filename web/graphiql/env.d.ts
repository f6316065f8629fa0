// esbuild bundles CSS imported from TypeScript; tell tsc such imports are fine.
declare module "*.css";
