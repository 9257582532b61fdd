-- digest-ls for Neovim 0.11+: the config that `vim.lsp.enable('digest_ls')` picks up
-- from the runtimepath. Override any field with `vim.lsp.config('digest_ls', { ... })`.
--
-- `settings.digestLs` takes the keys of digest-ls.toml (kebab-case): include, exclude,
-- required-keys, reference-lists, labels, tags = { vocabulary }, severity, limits,
-- references = { ['cited-before-ignore'], ['label-hosts'] }.
-- The server reads them from `initializationOptions` and asks for them with
-- `workspace/configuration` (section `digestLs`); they override digest-ls.toml.

---@type vim.lsp.Config
return {
  cmd = { 'digest-ls' },
  filetypes = { 'markdown' },
  root_markers = { 'digest-ls.toml', 'hugo.toml', 'config.toml', '.git' },
  settings = {
    digestLs = {},
  },
  before_init = function(params, config)
    -- Send the same settings at start-up, so the first diagnostics already use them.
    require('digest_ls').before_init(params, config)
  end,
}
