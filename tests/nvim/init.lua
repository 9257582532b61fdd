-- A user's init.lua for the Neovim end-to-end test: the repository's editors/neovim
-- on the runtimepath, the server command pointed at the binary under test, then
-- either the native 0.11 API (`vim.lsp.enable`) or `require('digest_ls').setup()`,
-- exactly as editors/neovim/README.md tells a user. No hand-written vim.lsp.start.

local plugin = assert(os.getenv('DIGEST_LS_PLUGIN'), 'DIGEST_LS_PLUGIN is not set')
local server = assert(os.getenv('DIGEST_LS_SERVER'), 'DIGEST_LS_SERVER is not set')
local mode = os.getenv('DIGEST_LS_TEST_MODE') or 'enable'

vim.opt.runtimepath:prepend(plugin)
vim.opt.swapfile = false
vim.opt.shadafile = 'NONE'

-- Record every message the server logs or shows, for failure reports.
vim.g.digest_ls_test_messages = {}

if mode == 'enable' then
  -- README, "Neovim 0.11+": the config comes from lsp/digest_ls.lua on the runtimepath.
  vim.lsp.config('digest_ls', { cmd = { server } })
  vim.lsp.enable('digest_ls')
elseif mode == 'setup' then
  -- README, "setup()": with a server setting that the test can observe.
  require('digest_ls').setup({
    cmd = { server },
    settings = { severity = { ['duplicate-tag'] = 'error' } },
  })
else
  error('unknown DIGEST_LS_TEST_MODE ' .. mode)
end
