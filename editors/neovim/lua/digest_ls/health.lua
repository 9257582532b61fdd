-- `:checkhealth digest_ls`: is Neovim recent enough, is the digest-ls binary found,
-- which version is it, and is a client attached to the current buffer.

local M = {}

function M.check()
  local health = vim.health
  health.start('digest-ls')

  local v = vim.version()
  local version = string.format('%d.%d.%d', v.major, v.minor, v.patch)
  if vim.fn.has('nvim-0.11') == 1 then
    health.ok('Neovim ' .. version .. ': native vim.lsp.config / vim.lsp.enable')
  elseif vim.fn.has('nvim-0.10') == 1 then
    if pcall(require, 'lspconfig') then
      health.ok('Neovim ' .. version .. ' with nvim-lspconfig: use require("digest_ls").setup()')
    else
      health.warn('Neovim ' .. version .. ' without nvim-lspconfig', {
        'require("digest_ls").setup() still works (FileType autocommand)',
        'or upgrade to Neovim 0.11+ and use vim.lsp.enable("digest_ls")',
      })
    end
  else
    health.error('Neovim ' .. version .. ' is too old: digest-ls needs 0.10 or newer')
  end

  local digest_ls = require('digest_ls')
  local cmd = digest_ls.cmd()
  if type(cmd) ~= 'table' or type(cmd[1]) ~= 'string' then
    health.error('the digest_ls config has no command (cmd)')
    return
  end
  local exe = vim.fn.exepath(cmd[1])
  if exe == '' then
    health.error(string.format('`%s` is not executable or not on PATH', cmd[1]), {
      'build and install it: `cargo install --path .` in a digest-ls checkout',
      "or point at the binary: vim.lsp.config('digest_ls', { cmd = { '/path/to/digest-ls' } })",
    })
    return
  end
  local ok, result = pcall(function()
    return vim.system({ exe, '--version' }, { text = true }):wait(5000)
  end)
  if not ok or result == nil or result.code ~= 0 then
    local why = (not ok and tostring(result)) or (result and result.stderr) or 'no answer'
    health.error(string.format('`%s --version` failed: %s', exe, vim.trim(why or '')))
    return
  end
  health.ok(string.format('found %s: %s', exe, vim.trim(result.stdout or '')))

  if vim.fn.has('nvim-0.11') == 1 then
    local enabled = vim.lsp.is_enabled and vim.lsp.is_enabled(digest_ls.name)
    if enabled == false then
      health.warn('digest_ls is not enabled', { "add vim.lsp.enable('digest_ls') to your config" })
    elseif enabled then
      health.ok('digest_ls is enabled')
    end
  end

  local clients = vim.lsp.get_clients({ name = digest_ls.name })
  if #clients == 0 then
    health.info('no digest_ls client running (open a Markdown file to start one)')
  end
  for _, client in ipairs(clients) do
    local info = client.server_info or {}
    health.info(string.format(
      'client %d: %s %s, root %s, position encoding %s',
      client.id,
      info.name or '?',
      info.version or '?',
      client.root_dir or client.config.root_dir or '(single file)',
      client.offset_encoding or '?'
    ))
  end
end

return M
