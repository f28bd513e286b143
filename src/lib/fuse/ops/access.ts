import type {FuseContext} from '../context.js'
import {serve} from '../serve.js'

// Permission checks are the kernel's (default_permissions); access only says whether the path exists.
export const access = (ctx: FuseContext) => serve('access', ctx, (path: string, _mode: number) => {
  ctx.ino(path)
})
