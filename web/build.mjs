// Bundles the explorer page and the self-hosted GraphiQL into ../api/web-build/ (git-ignored; served as /static/).
// Script and style names carry a content hash, written into the two HTML pages, so the app can
// cache them for a year. Usage: `npm run build` (make web runs `npm ci` first).
import * as esbuild from "esbuild";
import { mkdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "api", "web-build");
const pages = { "index.html": "src/explorer.js", "graphiql.html": "src/graphiql.js" };

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const result = await esbuild.build({
  entryPoints: Object.values(pages).map((p) => join(here, p)),
  bundle: true,
  minify: true,
  sourcemap: false,
  format: "esm",
  target: ["es2020"],
  outdir: out,
  entryNames: "[name]-[hash]",
  assetNames: "[name]-[hash]",
  loader: { ".woff": "file", ".woff2": "file", ".ttf": "file", ".svg": "file" },
  define: { "process.env.NODE_ENV": '"production"' },
  legalComments: "linked",
  metafile: true,
  logLevel: "warning",
});

// entry point -> its bundle and its CSS (file names relative to /static/)
const built = {};
for (const [file, meta] of Object.entries(result.metafile.outputs)) {
  if (!meta.entryPoint) continue;
  built[meta.entryPoint] = { js: basename(file), css: meta.cssBundle ? basename(meta.cssBundle) : null };
}
for (const [page, entry] of Object.entries(pages)) {
  const bundle = built[entry] ?? built[join(here, entry)] ?? Object.entries(built).find(([k]) => k.endsWith(entry))?.[1];
  if (!bundle) throw new Error(`no bundle for ${entry}`);
  const css = bundle.css ? `<link rel="stylesheet" href="/static/${bundle.css}">` : "";
  const html = readFileSync(join(here, "src", page), "utf8")
    .replace("<!--styles-->", css)
    .replace("<!--scripts-->", `<script type="module" src="/static/${bundle.js}"></script>`);
  writeFileSync(join(out, page), html);
}
copyFileSync(join(here, "src", "favicon.svg"), join(out, "favicon.svg"));
writeFileSync(join(out, "BUILT"), `built by web/build.mjs from web/src at ${new Date().toISOString()}\n`);
console.log(`web: built ${Object.keys(pages).join(", ")} into ${out}`);
