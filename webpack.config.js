/**
 * Builds the add-in into dist/: one shared-runtime page (taskpane.html) loading three bundles —
 * functions.js (CLOSEDESK custom functions), commands.js (ribbon handlers), taskpane.js (React
 * app) — plus functions.json generated from functions/functions.ts, the icons, and manifest.xml
 * rewritten for ADDIN_ORIGIN (default https://localhost:3000). The Fastify server serves dist/.
 * Type checking is `tsc -p tsconfig.taskpane.json`; ts-loader only transpiles, for speed.
 */
'use strict';
const path = require('node:path');
const HtmlWebpackPlugin = require('html-webpack-plugin');
const CopyWebpackPlugin = require('copy-webpack-plugin');
const CustomFunctionsMetadataPlugin = require('custom-functions-metadata-plugin');
const MinimizerPlugin = require('minimizer-webpack-plugin');
const { DEFAULT_ORIGIN, manifestForOrigin } = require('./build/manifest');

const ROOT = __dirname;
const DIST = path.join(ROOT, 'dist');

// dist/ also holds the server's tsc output — the folders tsconfig.server.json compiles (a build that removed
// one, platform/ say, left a compiled server that could not start) — and what scripts compile there.
const SERVER_FOLDERS = [...require('./tsconfig.server.json').include, 'bin', 'scripts', 'test'];
/** Whether an asset in dist/ belongs to the server's build, which this build keeps when it cleans dist/. */
const isServerOutput = (asset) => SERVER_FOLDERS.some((folder) => asset.startsWith(`${folder}/`));

/** What the build emits at the top of dist/ (the manifest test checks every manifest URL against it). */
const ENTRIES = {
  functions: './functions/functions.ts',
  commands: './commands/commands.ts',
  taskpane: './taskpane/index.tsx',
  // The sign-in popup's landing page (MSAL redirect bridge), a page of its own.
  'auth-redirect': './taskpane/auth-redirect.ts',
};
const PAGE = 'taskpane.html';
const AUTH_REDIRECT_PAGE = 'auth-redirect.html';
const METADATA = 'functions.json';
const MANIFEST = 'manifest.xml';
const ASSETS_DIR = 'assets';

module.exports = (_env, argv = {}) => {
  const production = (argv.mode ?? 'production') === 'production';
  const origin = process.env.ADDIN_ORIGIN || DEFAULT_ORIGIN;
  return {
    mode: production ? 'production' : 'development',
    context: ROOT,
    target: 'web',
    // Each bundle carries its own runtime so functions.js also works when Excel loads it by
    // itself (manifest Script); state shared across bundles lives on globalThis (commands/bus.ts).
    entry: ENTRIES,
    output: {
      path: DIST,
      filename: '[name].js',
      publicPath: '',
      // remove only what this build owns
      clean: { keep: isServerOutput },
    },
    devtool: production ? 'source-map' : 'eval-cheap-module-source-map',
    resolve: {
      extensions: ['.tsx', '.ts', '.js', '.json'],
      // exceljs's package.json "browser" field points at its prebuilt browser bundle (dist/exceljs.min.js).
      fallback: { fs: false, path: false, crypto: false, stream: false },
    },
    module: {
      // Already bundled and minified: parsing it again costs seconds and gains nothing.
      noParse: /exceljs[\\/]dist[\\/]exceljs(\.bare)?\.min\.js$/,
      rules: [
        {
          test: /\.tsx?$/,
          exclude: /node_modules/,
          use: {
            loader: 'ts-loader',
            options: { configFile: path.join(ROOT, 'tsconfig.taskpane.json'), transpileOnly: true, onlyCompileBundledFiles: true },
          },
        },
      ],
    },
    plugins: [
      new CustomFunctionsMetadataPlugin({ input: ENTRIES.functions, output: METADATA }),
      new HtmlWebpackPlugin({
        filename: PAGE,
        template: path.join(ROOT, 'build', 'taskpane.html'),
        // Functions and commands first so they are listening before the app loads office.js.
        chunks: ['functions', 'commands', 'taskpane'],
        chunksSortMode: 'manual',
        scriptLoading: 'defer',
      }),
      new HtmlWebpackPlugin({
        filename: AUTH_REDIRECT_PAGE,
        templateContent: '<!doctype html><html lang="en"><head><meta charset="UTF-8" /><title>Signing in…</title></head><body><p>Signing in to CloseDesk…</p></body></html>',
        chunks: ['auth-redirect'],
        scriptLoading: 'defer',
      }),
      new CopyWebpackPlugin({
        patterns: [
          { from: `${ASSETS_DIR}/*.png`, to: `${ASSETS_DIR}/[name][ext]` },
          {
            from: MANIFEST,
            to: MANIFEST,
            transform: (content) => manifestForOrigin(content.toString('utf8'), origin),
          },
        ],
      }),
    ],
    optimization: {
      // esbuild instead of terser: the same size within a few percent, seconds instead of a minute
      // on a 2-core machine (exceljs alone is ~1 MB of already-minified code).
      minimizer: [new MinimizerPlugin({ minify: MinimizerPlugin.esbuildMinify, minimizerOptions: { target: 'es2020' } })],
    },
    performance: { hints: false },
    stats: production ? 'normal' : 'minimal',
  };
};

module.exports.isServerOutput = isServerOutput;
module.exports.OUTPUTS = {
  dist: DIST,
  files: [...Object.keys(ENTRIES).map((name) => `${name}.js`), PAGE, AUTH_REDIRECT_PAGE, METADATA, MANIFEST],
  assetsDir: ASSETS_DIR,
};
