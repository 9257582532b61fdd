-- digest-ls for Neovim: `require('digest_ls').setup(opts)` configures and enables the
-- language server with the native API on Neovim 0.11+, with nvim-lspconfig's
-- custom-server API on 0.10, or with a FileType autocommand as a last resort.

local M = {}

M.name = 'digest_ls'

--- The defaults, the same as `lsp/digest_ls.lua` (which 0.11+ reads from the runtimepath).
M.defaults = {
  cmd = { 'digest-ls' },
  filetypes = { 'markdown' },
  root_markers = { 'digest-ls.toml', 'hugo.toml', 'config.toml', '.git' },
  settings = { digestLs = {} },
}

--- The config `setup()` last applied (for `:checkhealth digest_ls`).
M.config = nil

--- Copies `settings.digestLs` into `initializationOptions` unless the user set
--- `init_options` themselves. An empty table is sent as a JSON object, not an array.
function M.before_init(params, config)
  local s = config.settings and config.settings.digestLs
  if params.initializationOptions == nil and type(s) == 'table' and next(s) ~= nil then
    params.initializationOptions = s
  end
end

local function has_native()
  return vim.fn.has('nvim-0.11') == 1 and vim.lsp.config ~= nil and vim.lsp.enable ~= nil
end

--- Normalises `opts`: `settings` may be given as the digestLs table directly
--- (`{ settings = { ['required-keys'] = { 'title' } } }`) or wrapped
--- (`{ settings = { digestLs = { ... } } }`).
local function normalise(opts)
  opts = vim.deepcopy(opts or {})
  if opts.settings ~= nil and opts.settings.digestLs == nil then
    opts.settings = { digestLs = opts.settings }
  end
  return opts
end

local function root_dir_for(markers, path)
  if vim.fs.root then
    return vim.fs.root(path, markers)
  end
  local found = vim.fs.find(markers, { path = vim.fs.dirname(path), upward = true })[1]
  return found and vim.fs.dirname(found) or nil
end

--- Configures and enables digest-ls.
--- opts: any `vim.lsp.Config` field (cmd, filetypes, root_markers, settings,
--- capabilities, on_attach, ...); `settings` holds the server's options.
function M.setup(opts)
  opts = normalise(opts)
  local user_before_init = opts.before_init
  opts.before_init = function(params, config)
    M.before_init(params, config)
    if user_before_init then
      user_before_init(params, config)
    end
  end
  local config = vim.tbl_deep_extend('force', M.defaults, opts)
  M.config = config

  if has_native() then
    vim.lsp.config(M.name, config)
    vim.lsp.enable(M.name)
    return config
  end

  -- Neovim 0.10 with nvim-lspconfig: register a custom server, then set it up.
  local ok_configs, configs = pcall(require, 'lspconfig.configs')
  local ok_lspconfig, lspconfig = pcall(require, 'lspconfig')
  if ok_configs and ok_lspconfig then
    local util = require('lspconfig.util')
    if not configs[M.name] then
      configs[M.name] = {
        default_config = {
          cmd = config.cmd,
          filetypes = config.filetypes,
          root_dir = function(fname)
            return util.root_pattern(unpack(config.root_markers))(fname)
          end,
          single_file_support = true,
          settings = config.settings,
        },
        docs = { description = 'digest-ls: language server for Markdown digests (Hugo, YAML front matter).' },
      }
    end
    local lspconfig_opts = vim.deepcopy(config)
    lspconfig_opts.root_markers = nil
    lspconfig[M.name].setup(lspconfig_opts)
    return config
  end

  -- Neovim 0.10 without nvim-lspconfig: start the client on each Markdown buffer.
  local function start_on(bufnr)
    local name = vim.api.nvim_buf_get_name(bufnr)
    local start = vim.tbl_extend('force', config, {
      name = M.name,
      root_dir = root_dir_for(config.root_markers, name ~= '' and name or vim.fn.getcwd()),
    })
    start.filetypes = nil
    start.root_markers = nil
    vim.lsp.start(start, { bufnr = bufnr })
  end
  local group = vim.api.nvim_create_augroup('digest_ls', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = config.filetypes,
    callback = function(args)
      start_on(args.buf)
    end,
  })
  -- Buffers already open when setup() runs (e.g. a plugin manager loading on `ft`).
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(config.filetypes, vim.bo[bufnr].filetype) then
      start_on(bufnr)
    end
  end
  return config
end

--- The command the server is started with: the native config on 0.11+, else setup()'s.
function M.cmd()
  if has_native() then
    local ok, cfg = pcall(function()
      return vim.lsp.config[M.name]
    end)
    if ok and cfg and type(cfg.cmd) == 'table' then
      return cfg.cmd
    end
  end
  if M.config and type(M.config.cmd) == 'table' then
    return M.config.cmd
  end
  return M.defaults.cmd
end

return M
