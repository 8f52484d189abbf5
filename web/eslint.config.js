import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "e2e/artifacts/"] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    files: ["e2e/**/*.mjs"],
    // Node's globals, and the browser's inside page.evaluate callbacks.
    languageOptions: {
      globals: {
        process: "readonly",
        console: "readonly",
        URL: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        document: "readonly",
        window: "readonly",
        fetch: "readonly",
        Buffer: "readonly",
      },
    },
  },
);
