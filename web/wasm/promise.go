//go:build js && wasm

package main

import (
	"errors"
	"syscall/js"
)

// await waits for a JavaScript Promise and returns its value, or its
// rejection as an error. It blocks only the calling goroutine: Go's
// scheduler hands control back to the browser's event loop meanwhile. It
// must not be called from a JavaScript callback (every call of the page
// runs in its own goroutine: promised).
func await(promise js.Value) (js.Value, error) {
	type result struct {
		value js.Value
		err   error
	}
	done := make(chan result, 1)
	onValue := js.FuncOf(func(_ js.Value, args []js.Value) any {
		done <- result{value: args[0]}
		return nil
	})
	defer onValue.Release()
	onError := js.FuncOf(func(_ js.Value, args []js.Value) any {
		done <- result{err: errors.New(args[0].Call("toString").String())}
		return nil
	})
	defer onError.Release()
	promise.Call("then", onValue, onError)
	r := <-done
	return r.value, r.err
}
