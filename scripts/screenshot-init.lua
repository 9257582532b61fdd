-- The init.lua of the screenshot session (scripts/screenshot.sh): the repository's
-- editors/neovim on the runtimepath as a user installs it, built-in LSP completion,
-- diagnostics as virtual text, and a plain dark look that renders well in xterm.

local plugin = assert(os.getenv('DIGEST_LS_PLUGIN'))
local server = assert(os.getenv('DIGEST_LS_SERVER'))

vim.opt.runtimepath:prepend(plugin)
vim.opt.swapfile = false
vim.opt.termguicolors = true
vim.opt.number = true
vim.opt.signcolumn = 'yes'
vim.opt.laststatus = 2
vim.opt.showmode = true
vim.opt.wrap = false
vim.opt.completeopt = { 'menuone', 'noselect' }
vim.opt.pumheight = 8
vim.cmd.colorscheme('default')

vim.diagnostic.config({
  virtual_text = { prefix = '●', spacing = 2 },
  signs = true,
  underline = true,
  severity_sort = true,
  update_in_insert = true,
})

vim.lsp.config('digest_ls', { cmd = { server } })
vim.lsp.enable('digest_ls')

vim.api.nvim_create_autocmd('LspAttach', {
  callback = function(args)
    local client = vim.lsp.get_client_by_id(args.data.client_id)
    if client and client.name == 'digest_ls' then
      vim.lsp.completion.enable(true, client.id, args.buf, { autotrigger = true })
    end
  end,
})
