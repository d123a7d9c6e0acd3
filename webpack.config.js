// Builds the task pane and the web page into dist/addin (served by the service at /, see STATIC_DIR):
//   npx webpack --mode production                                  manifest URLs stay https://localhost:3000
//   npx webpack --mode production --env url=https://hs.example.com the manifest points at the production host
//   npx webpack --mode production --env out=/tmp/build             another output directory (tests)
// office.js is served from this build (copied from @microsoft/office-js, with o15apptofilemappingtable.js and the
// files it loads inside Excel: the excel-*.js host scripts, the locale strings and its telemetry module), not from
// Microsoft's CDN, so the page's CSP can stay script-src 'self'.
const path = require('node:path');
const HtmlWebpackPlugin = require('html-webpack-plugin');
const CopyWebpackPlugin = require('copy-webpack-plugin');

const DEV_URL = 'https://localhost:3000';
const OFFICE_JS = path.join(path.dirname(require.resolve('@microsoft/office-js/package.json')), 'dist');

/** The production URL given with --env url=...: https, no path, no trailing slash. */
function productionUrl(url) {
  if (url === undefined || url === true || url === '') return DEV_URL;
  let u;
  try {
    u = new URL(String(url));
  } catch {
    throw new Error(`--env url=${url}: not a URL`);
  }
  if (u.protocol !== 'https:') throw new Error(`--env url=${url}: Office add-ins must be served over https`);
  if (u.pathname !== '/' || u.search || u.hash) throw new Error(`--env url=${url}: give the origin only (https://host[:port]), the add-in is served at its root`);
  return u.origin;
}

module.exports = (env = {}, argv = {}) => {
  const url = productionUrl(env.url);
  const production = argv.mode !== 'development';
  const out = env.out ? path.resolve(String(env.out)) : path.resolve(__dirname, 'dist', 'addin');
  const page = (filename) =>
    new HtmlWebpackPlugin({
      template: path.resolve(__dirname, 'addin', 'taskpane.html'),
      filename,
      chunks: ['taskpane'],
      scriptLoading: 'defer',
      minify: production ? { collapseWhitespace: true, removeComments: true } : false,
    });
  return {
    mode: production ? 'production' : 'development',
    context: __dirname,
    entry: { taskpane: './addin/taskpane.ts' },
    output: { path: out, filename: production ? '[name].[contenthash:8].js' : '[name].js', clean: true },
    devtool: production ? 'source-map' : 'eval-source-map',
    resolve: { extensions: ['.ts', '.js'] },
    module: {
      rules: [{ test: /\.ts$/, exclude: /node_modules/, use: { loader: 'ts-loader', options: { configFile: path.resolve(__dirname, 'addin', 'tsconfig.json') } } }],
    },
    performance: { hints: false },
    plugins: [
      page('taskpane.html'),
      page('index.html'),
      new CopyWebpackPlugin({
        patterns: [
          { from: 'addin/taskpane.css', to: 'taskpane.css' },
          { from: 'addin/assets/*.png', to: 'assets/[name][ext]' },
          // Copied as published (already minified: `info.minimized` keeps terser off them).
          { from: path.join(OFFICE_JS, 'office.js'), to: 'office.js', info: { minimized: true } },
          { from: path.join(OFFICE_JS, 'o15apptofilemappingtable.js'), to: 'o15apptofilemappingtable.js', info: { minimized: true } },
          // What office.js loads beside itself inside Excel: the host script for each platform and the UI strings.
          { from: 'excel*.js', context: OFFICE_JS, to: '[name][ext]', globOptions: { ignore: ['**/*.debug.js'] }, info: { minimized: true } },
          { from: '*/office_strings.js', context: OFFICE_JS, to: '[path][name][ext]', info: { minimized: true } },
          { from: 'telemetry/oteljs*.js', context: OFFICE_JS, to: '[path][name][ext]', globOptions: { ignore: ['**/*.debug.js'] }, info: { minimized: true } },
          {
            from: 'manifest.xml',
            to: 'manifest.xml',
            transform: (content) => content.toString('utf8').split(DEV_URL).join(url),
          },
        ],
      }),
    ],
  };
};

module.exports.productionUrl = productionUrl;
module.exports.DEV_URL = DEV_URL;
