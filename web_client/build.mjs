// Builds dist/: the app bundle (and chunks it loads on demand) and stylesheet, the app shell,
// and the Swagger UI API docs page.
// The server serves dist/assets/ at /assets/, index.html for page routes, api-docs.html at /api/docs.

import { copyFile, mkdir, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const root = path.dirname(fileURLToPath(import.meta.url));
const src = path.join(root, "src");
const dist = path.join(root, "dist");
const assets = path.join(dist, "assets");
const swagger = path.dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));

await rm(dist, { recursive: true, force: true });
await mkdir(path.join(assets, "swagger"), { recursive: true });

await esbuild.build({
  absWorkingDir: root,
  entryPoints: { app: "src/main.js", "api-docs": "src/api-docs.js" },
  outdir: assets,
  bundle: true,
  format: "esm",
  // Modules imported on demand (hls.js, by the video player) become chunks of their own.
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  minify: true,
  sourcemap: true,
  target: "es2020",
  logLevel: "info",
});

const copies = [
  [path.join(src, "index.html"), path.join(dist, "index.html")],
  [path.join(src, "api-docs.html"), path.join(dist, "api-docs.html")],
  [path.join(src, "styles.css"), path.join(assets, "app.css")],
  ...["swagger-ui.css", "swagger-ui-bundle.js", "LICENSE", "NOTICE"].map((name) => [
    path.join(swagger, name),
    path.join(assets, "swagger", name),
  ]),
];
await Promise.all(copies.map(([from, to]) => copyFile(from, to)));
