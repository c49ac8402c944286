// Words of the account's security: password change and reset, passkeys, this device's copy.

export const AC = {
  // Sign-in screen
  passkeySignIn: "Sign in with a passkey",
  passkeyFailed: "That passkey did not work. Try again, or sign in with your email and password.",
  passkeyCancelled: "No passkey was chosen. You can try again, or use your email and password.",
  forgot: "Forgot password?",
  forgotTitle: "Reset your password",
  forgotIntro: "Type the email of your account. We will send a link to choose a new password.",
  forgotEmail: "Email of your account",
  forgotSend: "Send the link",
  forgotBack: "Back to sign in",
  forgotSent: (email) => `If an account uses ${email}, a link is on its way. It works once, for 60 minutes. Check your spam folder too.`,
  signedOutElsewhere: "You were signed out, on another device or because the session ended. Your entries are safe on the server: sign in to see them here again.",

  // Reset screen (/reset#<token>)
  resetTitle: "Choose a new password",
  resetIntro: "Every device signed in to your account will be signed out, so you start fresh.",
  resetNoLink: "This page needs the link from the email. Ask for a new one from the sign-in screen.",
  resetHint: "At least 10 characters.",
  resetSave: "Save the new password",
  resetDone: "Your password is changed. Sign in with it on this device.",
  resetGoSignIn: "Go to sign in",
  resetBad: "This link has expired or was already used. Ask for a new one from the sign-in screen.",

  // Signed in: password
  passwordTitle: "Password",
  currentPassword: "Current password",
  newPassword: "New password",
  newPasswordHint: "At least 10 characters. Other devices will be signed out.",
  changePassword: "Change password",
  passwordChanged: "Password changed. Other devices were signed out.",
  wrongPassword: "The current password is not right. Nothing was changed.",

  // Signed in: passkeys
  passkeysTitle: "Passkeys",
  passkeysIntro: "A passkey lets you sign in with your fingerprint, face or screen lock instead of a password.",
  passkeysNone: "No passkeys yet.",
  passkeyAdd: "Add a passkey",
  passkeyAdded: "Passkey added. Next time, choose “Sign in with a passkey”.",
  passkeyLabel: (n) => `Passkey ${n}`,
  passkeyAddedOn: (date) => `Added ${date}`,
  passkeyRemove: (label) => `Remove ${label}`,
  passkeyRemoved: "Passkey removed.",
  remove: "Remove",
  passkeyUnsupported: "This browser cannot make passkeys.",

  // This device's copy
  deviceTitle: "This device",
  removeData: "Remove this account's data from this device",
  removeDataIntro: "Your entries stay in your account on the server. This removes the copy on this phone or computer and signs this device out.",
  removeDataPending: (n) => `${n === 1 ? "1 entry has" : `${n} entries have`} not been backed up yet and will be lost.`,
  removeDataConfirm: "Remove from this device",
  removeDataDone: "This account's data was removed from this device.",
  cancel: "Cancel",
  parkedWaiting: (n, until) => `${n === 1 ? "1 entry" : `${n} entries`} from an account that signed out ${n === 1 ? "waits" : "wait"} here until that account signs in again, at the latest until ${until}.`,
  parkedRemove: "Remove waiting entries",
  parkedRemoved: "The waiting entries were removed from this device.",

  offline: "You are offline. Try again when you are connected.",
  failed: "That did not work. Please try again.",
};
