import { defineConfig } from "vite";

// The hub serves the build under /ui/ (docs/ui.md): no CDN, no inline script
// (the hub's Content-Security-Policy allows only 'self').
export default defineConfig({
  base: "/ui/",
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
